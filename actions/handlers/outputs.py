"""Output shapes shared by several actions (the custom types in ``actions.graphql``)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

DEFAULT_EXPIRES_IN = 3600  # Cognito's default ID/access token lifetime, in seconds


def lifetime(token: str) -> int:
    """Seconds from ``iat`` to ``exp`` of a JWT, or Cognito's default when it does not say.

    The token is read, not verified: the number is only a hint for the client.
    """
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return int(claims["exp"]) - int(claims["iat"])
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return DEFAULT_EXPIRES_IN


def tokens(result: dict[str, Any], refresh_token: str | None = None) -> dict[str, Any]:
    """``AuthTokens`` from an InitiateAuth result (refresh answers carry no new refresh token)."""
    auth = result.get("AuthenticationResult") or {}
    return {
        "id_token": auth["IdToken"],
        "access_token": auth["AccessToken"],
        "refresh_token": auth.get("RefreshToken") or refresh_token,
        # cognito-local leaves ExpiresIn out; the token itself says how long it lives.
        "expires_in": int(auth.get("ExpiresIn") or lifetime(auth["IdToken"])),
        "token_type": auth.get("TokenType") or "Bearer",
    }


def mask_email(email: str) -> str:
    """``ada@example.com`` → ``a***@e***``, the way Cognito masks a code's destination."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def code_sent_to(email: str) -> dict[str, Any]:
    """``CodeDelivery`` that reads the same whether ``email`` has an account or not.

    Cognito with ``PreventUserExistenceErrors`` answers an unknown user as if a code went out,
    with the destination masked; the local stand-in does not, so the action masks both.
    """
    return {"ok": True, "medium": "EMAIL", "destination": mask_email(email)}
