"""Output shapes shared by several actions (the custom types in ``actions.graphql``)."""

from __future__ import annotations

from typing import Any

DEFAULT_EXPIRES_IN = 3600  # Cognito's default ID/access token lifetime, in seconds


def tokens(result: dict[str, Any], refresh_token: str | None = None) -> dict[str, Any]:
    """``AuthTokens`` from an InitiateAuth result (refresh answers carry no new refresh token)."""
    auth = result.get("AuthenticationResult") or {}
    return {
        "id_token": auth["IdToken"],
        "access_token": auth["AccessToken"],
        "refresh_token": auth.get("RefreshToken") or refresh_token,
        "expires_in": int(auth.get("ExpiresIn") or DEFAULT_EXPIRES_IN),
        "token_type": auth.get("TokenType") or "Bearer",
    }


def code_delivery(details: dict[str, Any] | None) -> dict[str, Any]:
    """``CodeDelivery`` from Cognito's CodeDeliveryDetails (medium is an enum)."""
    details = details or {}
    medium = details.get("DeliveryMedium")
    return {
        "ok": True,
        "medium": medium if medium in ("EMAIL", "SMS") else None,
        "destination": details.get("Destination"),
    }
