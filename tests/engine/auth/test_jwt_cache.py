"""The verified-token cache: a reused token is verified once, and vouches for nothing else."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from joserfc import jws

from engine.auth.jwks import JwksCache
from tests.engine.auth.authenticate import authenticator, b64, refused
from tests.engine.auth.jwks_server import JwksServer
from tests.engine.auth.keys import JwtKeys


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
