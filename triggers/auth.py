"""Proof that a call comes from the engine: the shared secret in ``X-Action-Secret``."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from common.errors import AccessDeniedError

SECRET_HEADER = "X-Action-Secret"  # noqa: S105 - a header name, not a secret


def require_engine(request: Request, expected: str) -> None:
    """Raise unless the request carries the shared secret (compared in constant time)."""
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise AccessDeniedError(f"missing or wrong {SECRET_HEADER} header")
