"""Key sets from ``jwk_url``: cached per max-age, refetched for an unknown key, asymmetric only."""

from __future__ import annotations

import time

from engine.auth.jwks import JwksCache
from tests.engine.auth.authenticate import authenticator, b64, refused
from tests.engine.auth.jwks_server import JwksServer
from tests.engine.auth.keys import JwtKeys


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
