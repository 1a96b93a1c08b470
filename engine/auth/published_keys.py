"""Signing keys whose private half is public: a token signed with one proves nothing.

cognito-local ships its RSA key pair inside its npm package
(``lib/keys/cognitoLocal.private.json``), so anyone can mint a token that an engine
trusting its JWKS would accept, with any role. The engine refuses such a key unless it
runs in development mode (``HASURA_GRAPHQL_DEV_MODE=true``) and listens on loopback only,
which is how the local stack runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PUBLISHED_RSA_MODULI: Mapping[str, str] = {
    # cognito-local's key (kid "CognitoLocal"), from lib/keys/cognitoLocal.public.json.
    (
        "2uLO7yh1_6Icfd89V3nNTc_qhfpDN7vEmOYlmJQlc9_RmOns26lg88fXXFntZESwHOm7_homO2Ih6NOt"
        "u4P5eskGs8d8VQMOQfF4YrP-pawVz-gh1S7eSvzZRDHBT4ItUuoiVP1B9HN_uScKxIqjmitpPqEQB_o2"
        "NJv8npCfqUAU-4KmxquGtjdmfctswSZGdz59M3CAYKDfuvLH9_vV6TRGgbUaUAXWC2WJrbbEXzK3XUDB"
        "rmF3Xo-yw8f3SgD3JOPl3HaaWMKL1zGVAsge7gQaGiJBzBurg5vwN61uDGGz0QZC1JqcUTl3cZnrx_L8"
        "isIR7074SJEuljIZRnCcjQ"
    ): "cognito-local's published key",
}
"""RSA moduli (base64url, as in a JWK's ``n``) of keys whose private half is public."""


def published_key_name(entry: Mapping[str, Any]) -> str | None:
    """What the JWK ``entry`` is when it is a published key, else None."""
    modulus = entry.get("n")
    if not isinstance(modulus, str):
        return None
    return PUBLISHED_RSA_MODULI.get(modulus.rstrip("="))


def refusal(name: str, where: str) -> str:
    """The start-up error for a published key found at ``where``."""
    return (f"{where} holds {name}: anyone can sign tokens with it. The engine accepts it "
            "only with HASURA_GRAPHQL_DEV_MODE=true and HASURA_GRAPHQL_SERVER_HOST on "
            "loopback (the local stack)")
