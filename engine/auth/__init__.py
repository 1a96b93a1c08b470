"""Who a request runs as: admin secret, JWT (key or JWKS) or the unauthorized role."""

from engine.auth.errors import AuthError
from engine.auth.resolver import SessionResolver

__all__ = ["AuthError", "SessionResolver"]
