"""The refusal of Hasura's admin-only HTTP endpoints for a caller who is not admin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.auth.errors import AuthError
from engine.server.responses import api_error
from engine.server.state import ServerState


def admin_only_response() -> Response:
    """Hasura's answer to a role other than admin: 400 ``access-denied``."""
    return JSONResponse(api_error("restricted access : admin only", "access-denied"),
                        status_code=400)


async def admin_refusal(state: ServerState, request: Request) -> Response | None:
    """None when the request's session is admin; otherwise the answer that refuses it."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        session = await state.resolver.resolve(headers)
    except AuthError as exc:
        return JSONResponse(api_error(exc.message, exc.code), status_code=exc.status)
    return None if session.is_admin else admin_only_response()
