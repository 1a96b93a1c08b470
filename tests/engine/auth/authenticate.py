"""Helpers of the JWT tests: an authenticator from a Hasura JWT config, a refusal, base64url."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from engine.auth.errors import AuthError
from engine.auth.jwt import JwtAuthenticator
from engine.auth.jwt_config import parse_jwt_config


def authenticator(config: dict[str, Any], **kwargs: Any) -> JwtAuthenticator:
    """An authenticator for ``config`` (``HASURA_GRAPHQL_JWT_SECRET``'s JSON)."""
    return JwtAuthenticator(parse_jwt_config(config), **kwargs)


async def refused(auth: JwtAuthenticator, token: str, role: str | None = None) -> AuthError:
    """The error ``auth`` refuses ``token`` with (fails the test if it is accepted)."""
    with pytest.raises(AuthError) as caught:
        await auth.session(token, role)
    return caught.value


def b64(data: bytes) -> str:
    """Unpadded base64url, as JWT segments are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
