"""JWT cases over HTTP against the core schema: every bad token is refused, none leaks a row."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
import pytest

from tests.engine.auth.keys import JwtKeys
from tests.engine.security.conftest import ALICE, AUDIENCE, ISSUER, CoreEngine

QUERY = {"query": "{ users { id email } }"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bearer(core: CoreEngine, token: str, **headers: str) -> Any:
    response = core.post(QUERY, {"Authorization": f"Bearer {token}", **headers})
    assert response.status_code == 200
    return response.json()


def refused_with(body: Any, code: str) -> None:
    assert "data" not in body or body["data"] is None, body
    assert body["errors"][0]["extensions"]["code"] == code, body


def test_jwt_http_valid_token_reads_only_own_row(core: CoreEngine) -> None:
    """Jwt http valid token reads only own row.

    GIVEN a Cognito-like token for Alice WHEN users are listed THEN only her row.
    """
    body = bearer(core, core.token())
    assert body == {"data": {"users": [{"id": ALICE, "email": "alice@example.com"}]}}


def cases(core: CoreEngine) -> dict[str, str]:
    keys = core.keys
    now = int(time.time())

    def signed(**changes: Any) -> str:
        payload = keys.claims(user_id=ALICE, stringified=True, iss=ISSUER, aud=AUDIENCE)
        payload.update(changes)
        return keys.sign(payload)

    valid_payload = keys.claims(user_id=ALICE, stringified=True, iss=ISSUER, aud=AUDIENCE)
    head = b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    body = b64(orjson.dumps(valid_payload))
    mac = hmac.new(keys.public_pem.encode(), f"{head}.{body}".encode(), hashlib.sha256)
    header_of_valid, _, signature_of_valid = core.token().split(".")
    admin_payload = {**valid_payload, "https://hasura.io/jwt/claims": orjson.dumps({
        "x-hasura-allowed-roles": ["admin"], "x-hasura-default-role": "admin"}).decode()}
    stranger = JwtKeys()  # a second key pair the engine does not trust
    return {
        "expired": signed(exp=now - 3600, iat=now - 7200),
        "not yet valid": signed(nbf=now + 3600),
        "wrong issuer": signed(iss="https://evil.example"),
        "wrong audience": signed(aud="another-client"),
        "bad signature": stranger.sign({**valid_payload}),
        "tampered payload": f"{header_of_valid}.{b64(orjson.dumps(admin_payload))}."
                            f"{signature_of_valid}",
        "alg none": f"{b64(orjson.dumps({'alg': 'none', 'typ': 'JWT'}))}."
                    f"{b64(orjson.dumps(admin_payload))}.",
        "hs256 with public key": f"{head}.{body}.{b64(mac.digest())}",
        "not a jwt": "definitely-not-a-token",
    }


@pytest.mark.parametrize("case", ["expired", "not yet valid", "wrong issuer", "wrong audience",
                                  "bad signature", "tampered payload", "alg none",
                                  "hs256 with public key", "not a jwt"])
def test_jwt_http_bad_tokens_are_refused(core: CoreEngine, case: str) -> None:
    """Jwt http bad tokens are refused.

    GIVEN a token that is expired, early, from another issuer or audience, signed by another
    key, tampered with, unsigned, HMAC-signed with the public key or not a JWT WHEN used THEN
    200 with invalid-jwt and no data.
    """
    refused_with(bearer(core, cases(core)[case]), "invalid-jwt")


def test_jwt_http_missing_claims_are_refused(core: CoreEngine) -> None:
    """Jwt http missing claims are refused.

    GIVEN a valid signature but no Hasura claims WHEN used THEN jwt-missing-role-claims.
    """
    payload = {"sub": ALICE, "iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60}
    refused_with(bearer(core, core.keys.sign(payload)), "jwt-missing-role-claims")


def test_jwt_http_role_not_allowed_is_refused(core: CoreEngine) -> None:
    """Jwt http role not allowed is refused.

    GIVEN a user token WHEN X-Hasura-Role asks for admin THEN access-denied, no data.
    """
    refused_with(bearer(core, core.token(), **{"X-Hasura-Role": "admin"}), "access-denied")


def test_jwt_http_headers_cannot_override_claims(core: CoreEngine) -> None:
    """Jwt http headers cannot override claims.

    GIVEN Alice's token WHEN the request also sends X-Hasura-User-Id of Bob THEN still only
    Alice's row (session variables come from the verified token).
    """
    body = bearer(core, core.token(),
                  **{"X-Hasura-User-Id": "8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22"})
    assert body["data"]["users"] == [{"id": ALICE, "email": "alice@example.com"}]


def test_jwt_http_malformed_authorization_header(core: CoreEngine) -> None:
    """Jwt http malformed authorization header.

    GIVEN an Authorization header that is not a bearer token WHEN sent THEN invalid-headers.
    """
    response = core.post(QUERY, {"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    refused_with(response.json(), "invalid-headers")


def test_jwt_http_admin_role_in_a_token_is_admin(core: CoreEngine) -> None:
    """Jwt http admin role in a token is admin.

    GIVEN a valid token whose allowed roles include admin WHEN it asks for admin THEN every
    user is visible (the admin role bypasses permissions, as in Hasura).
    """
    token = core.token(roles=("user", "admin"))
    body = bearer(core, token, **{"X-Hasura-Role": "admin"})
    assert len(body["data"]["users"]) == 3
