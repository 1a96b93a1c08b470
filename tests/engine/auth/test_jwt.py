"""JWT verification and Hasura claims, as Hasura reads HASURA_GRAPHQL_JWT_SECRET."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import orjson
import pytest

from engine.auth.jwt_config import JwtConfigError, parse_jwt_config
from tests.engine.auth.authenticate import authenticator, b64, refused
from tests.engine.auth.keys import JwtKeys


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
