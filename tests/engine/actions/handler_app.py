"""A small action handler for the engine's action tests (served by uvicorn in a process)."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


async def handle(request: Request) -> Response:
    body = await request.json()
    name = body["action"]["name"]
    session = body["session_variables"]
    if request.headers.get("x-test-secret") != "sekret":
        return JSONResponse({"message": "missing secret"}, status_code=401)
    if name in ("echo", "asyncEcho"):
        return JSONResponse({
            "greeting": f"hello {body['input']['who']['name']}",
            "mood": body["input"].get("mood") or "HAPPY",
            "role": session.get("x-hasura-role"),
            "user_id": session.get("x-hasura-user-id"),
            "client_header": request.headers.get("x-client-header"),
            "forwarded_for": request.headers.get("x-forwarded-for"),
            "query_seen": bool(body.get("request_query")),
            "tags": ["a", "b"],
        })
    if name == "fail4xx":
        return JSONResponse({"message": "nope", "extensions": {"code": "custom-code",
                                                               "detail": 7}}, status_code=400)
    if name == "fail4xxBare":
        return JSONResponse({"message": "plain"}, status_code=422)
    if name == "fail500":
        return JSONResponse({"message": "boom"}, status_code=500)
    if name == "badOutput":
        return JSONResponse({"greeting": "hi", "surprise": 1})
    if name == "slow":
        await asyncio.sleep(8)
        return JSONResponse({"greeting": "late"})
    return JSONResponse({"message": "unknown"}, status_code=404)


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


_counted: list[int] = []


async def count(request: Request) -> Response:
    """A call with a side effect: each one is numbered (a test checks none runs twice)."""
    _counted.append(len(_counted) + 1)
    return JSONResponse({"call": _counted[-1]})


app = Starlette(routes=[Route("/healthz", health), Route("/count", count, methods=["POST"]),
                        Route("/{name}", handle, methods=["POST"])])
