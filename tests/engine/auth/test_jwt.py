"""JWT verification and Hasura claims, as Hasura reads HASURA_GRAPHQL_JWT_SECRET."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
import pytest
from joserfc import jws

from engine.auth.errors import AuthError
from engine.auth.jwks import JwksCache
from engine.auth.jwt import JwtAuthenticator
from engine.auth.jwt_config import JwtConfigError, parse_jwt_config
from tests.engine.auth.jwks_server import JwksServer
from tests.engine.auth.keys import JwtKeys


def authenticator(config: dict[str, Any], **kwargs: Any) -> JwtAuthenticator:
    return JwtAuthenticator(parse_jwt_config(config), **kwargs)


async def refused(auth: JwtAuthenticator, token: str, role: str | None = None) -> AuthError:
    with pytest.raises(AuthError) as caught:
        await auth.session(token, role)
    return caught.value


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_jwt_valid_token_gives_the_default_role_and_claims(jwt_keys: JwtKeys) -> None:
    """Jwt valid token gives the default role and claims.

    GIVEN an RS256 key config and a valid token WHEN no role is requested THEN the session has
    the default role and the x-hasura-* claims as variables.
    """
    session = await authenticator(jwt_keys.rs256_config()).session(
        jwt_keys.sign(jwt_keys.claims(user_id="abc")), None)
    assert session.role == "user"
    assert session.get("X-Hasura-User-Id") == "abc"
    assert session.get("x-hasura-role") == "user"
    assert session.get("x-hasura-allowed-roles") is None
    assert session.is_admin_secret is False


async def test_jwt_requested_role_must_be_allowed(jwt_keys: JwtKeys) -> None:
    """Jwt requested role must be allowed.

    GIVEN allowed roles [user, editor] WHEN editor is requested THEN editor; WHEN admin is
    requested THEN access-denied.
    """
    auth = authenticator(jwt_keys.rs256_config())
    token = jwt_keys.sign(jwt_keys.claims(roles=("user", "editor")))
    assert (await auth.session(token, "editor")).role == "editor"
    error = await refused(auth, token, "admin")
    assert error.code == "access-denied"


@pytest.mark.parametrize(("change", "reason"), [
    ({"exp": -10}, "JWTExpired"),
    ({"nbf": 600}, "JWTNotYetValid"),
])
async def test_jwt_time_claims_are_enforced(jwt_keys: JwtKeys, change: dict[str, int],
                                            reason: str) -> None:
    """Jwt time claims are enforced.

    GIVEN a token expired, or not valid yet WHEN verified THEN invalid-jwt naming the reason.
    """
    claims = jwt_keys.claims()
    now = int(time.time())
    claims.update({name: now + offset for name, offset in change.items()})
    error = await refused(authenticator(jwt_keys.rs256_config()), jwt_keys.sign(claims))
    assert (error.code, error.message) == ("invalid-jwt", f"Could not verify JWT: {reason}")


async def test_jwt_allowed_skew_accepts_a_token_just_expired(jwt_keys: JwtKeys) -> None:
    """Jwt allowed skew accepts a token just expired.

    GIVEN allowed_skew 60 WHEN a token expired 10 s ago is used THEN it is accepted.
    """
    claims = jwt_keys.claims()
    claims["exp"] = int(time.time()) - 10
    session = await authenticator(jwt_keys.rs256_config(allowed_skew=60)).session(
        jwt_keys.sign(claims), None)
    assert session.role == "user"


async def test_jwt_cached_token_is_still_checked_for_expiry(jwt_keys: JwtKeys) -> None:
    """Jwt cached token is still checked for expiry.

    GIVEN a token verified once (cached) WHEN the clock passes its exp THEN it is refused.
    """
    now = [time.time()]
    auth = authenticator(jwt_keys.rs256_config(), clock=lambda: now[0])
    token = jwt_keys.sign(jwt_keys.claims(lifetime=30))
    await auth.session(token, None)
    now[0] += 31
    assert (await refused(auth, token)).message == "Could not verify JWT: JWTExpired"


async def test_jwt_cache_verifies_a_reused_token_once(
    jwt_keys: JwtKeys, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Jwt cache verifies a reused token once.

    GIVEN a token used for three requests WHEN each is authenticated THEN all get the
    session and the signature is checked once.
    """
    checks = []
    verify = jws.deserialize_compact

    def counted(*args: Any, **kwargs: Any) -> Any:
        checks.append(1)
        return verify(*args, **kwargs)

    monkeypatch.setattr(jws, "deserialize_compact", counted)
    auth = authenticator(jwt_keys.rs256_config())
    token = jwt_keys.sign(jwt_keys.claims(user_id="u-7"))
    sessions = [await auth.session(token, None) for _ in range(3)]
    assert [s.get("x-hasura-user-id") for s in sessions] == ["u-7"] * 3
    assert len(checks) == 1


async def test_jwt_cache_vouches_for_no_other_token(jwt_keys: JwtKeys) -> None:
    """GIVEN a valid token verified (and cached) under an issuer and audience config.

    WHEN tokens differing from it come: its claims raised to admin under its signature, its
    claims signed by another key, a wrong issuer, a wrong audience
    THEN each is refused for its own reason, and the cached token is still accepted.
    """
    auth = authenticator(jwt_keys.rs256_config(issuer="https://issuer.example",
                                               audience="app"))
    good = jwt_keys.claims(iss="https://issuer.example", aud="app")
    token = jwt_keys.sign(good)
    await auth.session(token, None)
    head, _payload, signature = token.split(".")
    admin = jwt_keys.claims(roles=("user", "admin"), default_role="admin",
                            iss="https://issuer.example", aud="app")
    raised = f"{head}.{b64(orjson.dumps(admin))}.{signature}"
    forged = jwt_keys.sign(good, key=JwtKeys().rsa)
    refusals = [
        (await refused(auth, raised)).message,
        (await refused(auth, forged)).message,
        (await refused(auth, jwt_keys.sign({**good, "iss": "https://other.example"}))).message,
        (await refused(auth, jwt_keys.sign({**good, "aud": "other"}))).message,
    ]
    assert refusals == [f"Could not verify JWT: {reason}" for reason in (
        "JWSError JWSInvalidSignature", "JWSError JWSInvalidSignature", "JWTNotInIssuer",
        "JWTNotInAudience")]
    assert (await auth.session(token, None)).role == "user"


async def test_jwt_cached_token_is_refused_once_its_key_leaves_the_jwks(
    jwt_keys: JwtKeys,
) -> None:
    """GIVEN a token verified (and cached) with a key from a JWKS served with max-age=100.

    WHEN the set is rotated to another key and refetched after max-age
    THEN the cached token is refused (no valid key), and a token of the new key accepted.
    """
    now = [1_000_000.0]
    rotated = JwtKeys()
    with JwksServer(jwt_keys.jwks(), {"Cache-Control": "max-age=100"}) as server:
        auth = authenticator({"jwk_url": server.url},
                             jwks=JwksCache(server.url, clock=lambda: now[0]))
        token = jwt_keys.sign(jwt_keys.claims())
        await auth.session(token, None)
        await auth.session(token, None)
        server.document = {"keys": [{**rotated.jwks()["keys"][0], "kid": "test-key-2"}]}
        now[0] += 101
        error = await refused(auth, token)
        fresh = rotated.sign(rotated.claims(user_id="new"), header={"kid": "test-key-2"})
        session = await auth.session(fresh, None)
    assert error.message == "Could not verify JWT: JWSError JWSNoValidKey"
    assert session.get("x-hasura-user-id") == "new"
    assert server.fetches == 2


async def test_jwt_cache_keeps_at_most_its_size(jwt_keys: JwtKeys) -> None:
    """GIVEN a cache of 2 tokens WHEN 3 tokens are used THEN 2 stay cached, the last ones."""
    auth = authenticator(jwt_keys.rs256_config(), cache_size=2)
    tokens = [jwt_keys.sign(jwt_keys.claims(user_id=f"u-{n}")) for n in range(3)]
    for token in tokens:
        await auth.session(token, None)
    assert list(auth._verified) == tokens[1:]


@pytest.mark.parametrize(("config", "claims", "reason"), [
    ({"issuer": "https://issuer.example"}, {"iss": "https://other.example"}, "JWTNotInIssuer"),
    ({"issuer": "https://issuer.example"}, {}, "JWTNotInIssuer"),
    ({"audience": "app"}, {"aud": "other"}, "JWTNotInAudience"),
    ({"audience": ["app", "web"]}, {"aud": ["mobile"]}, "JWTNotInAudience"),
    ({"audience": "app"}, {}, "JWTNotInAudience"),
])
async def test_jwt_issuer_and_audience_are_enforced(
    jwt_keys: JwtKeys, config: dict[str, Any], claims: dict[str, Any], reason: str,
) -> None:
    """Jwt issuer and audience are enforced.

    GIVEN an issuer or audience in the config WHEN the token's differs or is missing THEN
    invalid-jwt.
    """
    token = jwt_keys.sign(jwt_keys.claims(**claims))
    error = await refused(authenticator(jwt_keys.rs256_config(**config)), token)
    assert error.message == f"Could not verify JWT: {reason}"


async def test_jwt_matching_audience_in_a_list_is_accepted(jwt_keys: JwtKeys) -> None:
    """Jwt matching audience in a list is accepted.

    GIVEN audience [app, web] and issuer WHEN the token has aud [web, x] and that issuer THEN
    it is accepted.
    """
    auth = authenticator(jwt_keys.rs256_config(audience=["app", "web"], issuer="iss"))
    token = jwt_keys.sign(jwt_keys.claims(aud=["web", "x"], iss="iss"))
    assert (await auth.session(token, None)).role == "user"


async def test_jwt_signature_by_another_key_is_refused(jwt_keys: JwtKeys) -> None:
    """Jwt signature by another key is refused.

    GIVEN the engine trusts one RSA key WHEN a token is signed by another THEN invalid-jwt.
    """
    other = JwtKeys()
    error = await refused(authenticator(jwt_keys.rs256_config()), other.sign(other.claims()))
    assert error.code == "invalid-jwt"


async def test_jwt_tampered_payload_is_refused(jwt_keys: JwtKeys) -> None:
    """Jwt tampered payload is refused.

    GIVEN a valid token WHEN its payload is swapped for one granting admin THEN invalid-jwt.
    """
    header, _, signature = jwt_keys.sign(jwt_keys.claims()).split(".")
    forged = jwt_keys.claims(roles=("admin",), default_role="admin")
    token = f"{header}.{b64(orjson.dumps(forged))}.{signature}"
    assert (await refused(authenticator(jwt_keys.rs256_config()), token)).code == "invalid-jwt"


async def test_jwt_alg_none_is_refused(jwt_keys: JwtKeys) -> None:
    """Jwt alg none is refused.

    GIVEN an RS256 config WHEN an unsigned token (alg none) is sent THEN invalid-jwt.
    """
    token = (f"{b64(orjson.dumps({'alg': 'none', 'typ': 'JWT'}))}."
             f"{b64(orjson.dumps(jwt_keys.claims()))}.")
    assert (await refused(authenticator(jwt_keys.rs256_config()), token)).code == "invalid-jwt"


async def test_jwt_hs256_signed_with_the_public_key_is_refused(jwt_keys: JwtKeys) -> None:
    """Jwt hs256 signed with the public key is refused.

    GIVEN an RS256 config WHEN a token is HMAC-signed with the (public) RSA key as secret THEN
    invalid-jwt (the algorithm must match the key).
    """
    head = b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    body = b64(orjson.dumps(jwt_keys.claims()))
    mac = hmac.new(jwt_keys.public_pem.encode(), f"{head}.{body}".encode(), hashlib.sha256)
    token = f"{head}.{body}.{b64(mac.digest())}"
    assert (await refused(authenticator(jwt_keys.rs256_config()), token)).code == "invalid-jwt"


async def test_jwt_garbage_token_is_refused(jwt_keys: JwtKeys) -> None:
    """Jwt garbage token is refused.

    GIVEN any config WHEN the token is not a JWS THEN invalid-jwt, not a crash.
    """
    for token in ("garbage", "a.b.c", "..", "eyJ.eyJ.x"):
        assert (await refused(authenticator(jwt_keys.rs256_config()), token)).code == \
            "invalid-jwt"


async def test_jwt_hs256_key_config_verifies_hmac_tokens(jwt_keys: JwtKeys) -> None:
    """Jwt hs256 key config verifies hmac tokens.

    GIVEN an HS256 config WHEN a token signed with the secret comes THEN accepted; an RS256
    token is refused.
    """
    auth = authenticator(jwt_keys.hs256_config())
    assert (await auth.session(jwt_keys.sign(jwt_keys.claims(), alg="HS256"), None)).role == "user"
    assert (await refused(auth, jwt_keys.sign(jwt_keys.claims()))).code == "invalid-jwt"


async def test_jwt_missing_role_claims_are_reported(jwt_keys: JwtKeys) -> None:
    """Jwt missing role claims are reported.

    GIVEN a token without the claims namespace, or without allowed roles WHEN verified THEN
    jwt-missing-role-claims.
    """
    auth = authenticator(jwt_keys.rs256_config())
    no_namespace = {"sub": "x", "exp": int(time.time()) + 60}
    assert (await refused(auth, jwt_keys.sign(no_namespace))).code == "jwt-missing-role-claims"
    claims = jwt_keys.claims()
    del claims["https://hasura.io/jwt/claims"]["x-hasura-allowed-roles"]
    assert (await refused(auth, jwt_keys.sign(claims))).code == "jwt-missing-role-claims"


async def test_jwt_stringified_claims_are_parsed(jwt_keys: JwtKeys) -> None:
    """Jwt stringified claims are parsed.

    GIVEN claims_format stringified_json (as Cognito's pre-token Lambda writes them) WHEN the
    namespace holds a JSON string THEN its claims are used.
    """
    auth = authenticator(jwt_keys.rs256_config(claims_format="stringified_json"))
    session = await auth.session(jwt_keys.sign(jwt_keys.claims(user_id="s1", stringified=True)),
                                 None)
    assert session.get("x-hasura-user-id") == "s1"


async def test_jwt_claims_namespace_path_and_claims_map(jwt_keys: JwtKeys) -> None:
    """Jwt claims namespace path and claims map.

    GIVEN claims under $.app.hasura, and a claims_map with a path, a default and a literal WHEN
    verified THEN the session reads them from there.
    """
    now = int(time.time())
    nested = {"exp": now + 60, "app": {"hasura": {
        "x-hasura-allowed-roles": ["user"], "x-hasura-default-role": "user",
        "x-hasura-user-id": "n1"}}, "user": {"id": "m1"}}
    auth = authenticator(jwt_keys.rs256_config(claims_namespace_path="$.app.hasura"))
    assert (await auth.session(jwt_keys.sign(nested), None)).get("x-hasura-user-id") == "n1"
    mapped = authenticator(jwt_keys.rs256_config(claims_map={
        "x-hasura-allowed-roles": ["user", "editor"],
        "x-hasura-default-role": "user",
        "x-hasura-user-id": {"path": "$.user.id"},
        "x-hasura-org-id": {"path": "$.user.org", "default": "none"},
    }))
    session = await mapped.session(jwt_keys.sign(nested), "editor")
    assert (session.role, session.get("x-hasura-user-id"), session.get("x-hasura-org-id")) == (
        "editor", "m1", "none")


def test_jwt_config_errors_name_the_field() -> None:
    """Jwt config errors name the field.

    GIVEN malformed configurations WHEN parsed THEN each error names what is wrong.
    """
    cases: list[tuple[dict[str, Any], str]] = [
        ({"type": "HS256", "key": "short"}, "at least 32"),
        ({"type": "XX1", "key": "k" * 40}, "'type'"),
        ({"type": "RS256", "key": "not a pem"}, "RS256"),
        ({"jwk_url": "ftp://x"}, "jwk_url"),
        ({"type": "HS256", "key": "k" * 40, "claims_namespace": "a",
          "claims_namespace_path": "$.a"}, "exclude"),
        ({"type": "HS256", "key": "k" * 40, "header": {"type": "Cookie"}}, "name"),
    ]
    for config, fragment in cases:
        with pytest.raises(JwtConfigError, match=fragment):
            parse_jwt_config(config)


async def test_jwks_is_cached_per_max_age_and_refetched_for_unknown_kid(
    jwt_keys: JwtKeys,
) -> None:
    """Jwks is cached per max age and refetched for unknown kid.

    GIVEN a JWKS URL answering Cache-Control max-age=100 WHEN tokens are verified THEN one fetch
    serves them until max-age passes; a token with an unknown kid triggers one bounded
    refetch and is refused.
    """
    now = [1_000_000.0]
    with JwksServer(jwt_keys.jwks(), {"Cache-Control": "public, max-age=100"}) as server:
        cache = JwksCache(server.url, clock=lambda: now[0])
        auth = authenticator({"jwk_url": server.url}, jwks=cache, clock=time.time)
        await auth.session(jwt_keys.sign(jwt_keys.claims(user_id="a")), None)
        await auth.session(jwt_keys.sign(jwt_keys.claims(user_id="b")), None)
        assert server.fetches == 1
        now[0] += 101
        await auth.session(jwt_keys.sign(jwt_keys.claims(user_id="c")), None)
        assert server.fetches == 2
        now[0] += 20
        unknown = jwt_keys.sign(jwt_keys.claims(user_id="d"), header={"kid": "rotated"})
        assert (await refused(auth, unknown)).code == "invalid-jwt"
        assert (await refused(auth, unknown + "")).code == "invalid-jwt"
        assert server.fetches == 3


async def test_jwks_rejects_hmac_tokens_even_if_the_set_lists_a_secret(
    jwt_keys: JwtKeys,
) -> None:
    """Jwks rejects hmac tokens even if the set lists a secret.

    GIVEN a JWKS that (wrongly) publishes a symmetric key WHEN an HS256 token signed with it
    comes THEN it is refused (key sets are for asymmetric keys).
    """
    document = jwt_keys.jwks()
    document["keys"].append({"kty": "oct", "kid": "sym", "k": b64(jwt_keys.hs_secret.encode())})
    with JwksServer(document) as server:
        auth = authenticator({"jwk_url": server.url})
        token = jwt_keys.sign(jwt_keys.claims(), alg="HS256", header={"kid": "sym"})
        assert (await refused(auth, token)).code == "invalid-jwt"


async def test_jwt_tokens_crafted_to_break_parsing_are_invalid(jwt_keys: JwtKeys) -> None:
    """Jwt tokens crafted to break parsing are invalid.

    GIVEN headers and payloads that are JSON but not objects, or not JSON WHEN verified THEN
    invalid-jwt every time (never another exception).
    """
    auth = authenticator(jwt_keys.rs256_config())
    payload = b64(orjson.dumps(jwt_keys.claims()))
    for header in (b"[]", b"null", b'"x"', b"{", b'{"alg": ["RS256"]}', b'{"alg": "RS256"}'):
        token = f"{b64(header)}.{payload}.{b64(b'sig')}"
        assert (await refused(auth, token)).code == "invalid-jwt"
    signed_list = jwt_keys.sign({"a": 1}).split(".")
    odd = f"{signed_list[0]}.{b64(b'[1, 2]')}.{signed_list[2]}"
    assert (await refused(auth, odd)).code == "invalid-jwt"
