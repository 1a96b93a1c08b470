from __future__ import annotations

import base64
import json
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from devstack.paths import REPO_ROOT
from devstack.services.cognito import UserPool
from tests.auth.conftest import Client
from tests.auth.flows import USERS, error_code, new_email
from tests.auth.test_login_flow import signed_in

COGNITO_LOCAL_KEY = REPO_ROOT / "node_modules/cognito-local/lib/keys/cognitoLocal.private.json"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return claims


def _sign(claims: dict[str, Any], key: RSAKey) -> str:
    return jwt.encode({"alg": "RS256", "kid": "CognitoLocal", "typ": "JWT"}, claims, key)


def _pool_key() -> RSAKey:
    return RSAKey.import_key(json.loads(COGNITO_LOCAL_KEY.read_text())["jwk"])


def test_a_token_signed_by_another_key_is_refused(client: Client) -> None:
    """A token signed by another key is refused.

    GIVEN a real user's claims re-signed with a key the pool does not publish (same kid) WHEN used
    on the engine THEN the request is refused, not run as that user.
    """
    tokens = signed_in(client, new_email())
    forged = _sign(_claims(tokens["id_token"]), RSAKey.generate_key(2048))
    answer = client.run(USERS, token=forged)
    assert "data" not in answer
    assert error_code(answer) == "invalid-jwt"
    assert "Signature" in answer["errors"][0]["message"]


def test_an_expired_token_is_refused(client: Client) -> None:
    """An expired token is refused.

    GIVEN a token with the pool's own key but ``exp`` in the past WHEN used THEN refused (cognito-
    local's key is public, so the checks beyond the signature matter).
    """
    claims = _claims(signed_in(client, new_email())["id_token"])
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    answer = client.run(USERS, token=_sign(claims, _pool_key()))
    assert "data" not in answer
    assert error_code(answer) == "invalid-jwt"
    assert "Expired" in answer["errors"][0]["message"]


def test_a_token_for_another_audience_is_refused(client: Client, user_pool: UserPool) -> None:
    """GIVEN a token with the pool's key for another app client WHEN used THEN refused."""
    claims = _claims(signed_in(client, new_email())["id_token"])
    assert claims["aud"] == user_pool.client_id
    claims["aud"] = "some-other-client"
    answer = client.run(USERS, token=_sign(claims, _pool_key()))
    assert "data" not in answer
    assert error_code(answer) == "invalid-jwt"
    assert "Audience" in answer["errors"][0]["message"]


def test_the_pool_signed_token_itself_is_accepted(client: Client) -> None:
    """The pool signed token itself is accepted.

    GIVEN the same claims re-signed with the pool's key, unchanged WHEN used THEN accepted: the
    refusals above come from the changed claims, not from re-signing.
    """
    email = new_email()
    claims = _claims(signed_in(client, email)["id_token"])
    answer = client.run(USERS, token=_sign(claims, _pool_key()))
    assert answer["data"]["users"][0]["email"] == email
