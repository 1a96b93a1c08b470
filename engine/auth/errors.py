"""Authentication failures, with Hasura's machine codes."""

from __future__ import annotations

from common.errors import ServiceError


class AuthError(ServiceError):
    """A request cannot be authenticated.

    ``status`` is what the admin APIs (``/v1/metadata``, ``/v1/query``) answer with;
    ``/v1/graphql`` answers every error with 200, as Hasura does.
    """

    def __init__(self, message: str, code: str, status: int = 400) -> None:
        super().__init__(message, code=code, status=status)


def invalid_jwt(reason: str) -> AuthError:
    """A token that does not verify (signature, expiry, issuer, audience, ...)."""
    return AuthError(f"Could not verify JWT: {reason}", "invalid-jwt")


def access_denied(message: str, status: int = 400) -> AuthError:
    """The request is known but not allowed (wrong secret, role not allowed)."""
    return AuthError(message, "access-denied", status)


def invalid_headers(message: str) -> AuthError:
    """The request's authentication headers are missing or malformed."""
    return AuthError(message, "invalid-headers")
