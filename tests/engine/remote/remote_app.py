"""A small remote GraphQL server for the engine's remote schema tests (uvicorn, a process).

``/stats`` counts the GraphQL requests it answered, so tests can check batching.
"""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

COUNTER = {"requests": 0}
GATE: dict[str, Any] = {"waiting": 0, "open": None}
"""``hold`` waits until ``/release`` opens the gate (at most 120 s); ``/holding`` counts."""


@strawberry.enum
class Mood(enum.Enum):
    """How a person feels."""

    HAPPY = "HAPPY"
    GRUMPY = "GRUMPY"


@strawberry.type
class Person:
    """Someone the remote knows."""

    id: str
    name: str
    mood: Mood


@strawberry.input
class Filter:
    """Which people."""

    prefix: str


@strawberry.type
class Query:
    """The remote's root fields."""

    @strawberry.field
    def hello(self, name: str = "world") -> str:
        """A greeting."""
        return f"hello {name}"

    @strawberry.field
    def person(self, id: str) -> Person:
        """One person by id."""
        return Person(id=id, name=f"name-{id}", mood=Mood.HAPPY)

    @strawberry.field
    def people(self, filter: Filter | None = None) -> list[Person]:
        """Some people."""
        prefix = filter.prefix if filter else ""
        return [Person(id=f"{prefix}{i}", name=f"p{i}", mood=Mood.GRUMPY) for i in range(2)]

    @strawberry.field
    def whoami(self, info: Info[Any, Any], user_id: str | None = None) -> str:
        """The user id the engine sent (argument) and the role header it forwarded."""
        return f"{user_id}/{info.context['request'].headers.get('x-hasura-role')}"

    @strawberry.field
    def fail(self) -> str | None:
        """Always an error."""
        raise ValueError("the remote refused")

    @strawberry.field
    def fail_for(self, id: str) -> Person | None:
        """Always an error, naming the id."""
        raise ValueError(f"no person {id}")

    @strawberry.field
    async def hold(self, id: str) -> Person:
        """Answers once the gate is opened (``/release``), or after 120 s."""
        if GATE["open"] is None:
            GATE["open"] = asyncio.Event()
        GATE["waiting"] += 1
        try:
            await asyncio.wait_for(GATE["open"].wait(), 120)
        finally:
            GATE["waiting"] -= 1
        return Person(id=id, name=f"held-{id}", mood=Mood.HAPPY)

    @strawberry.field
    async def slow(self) -> str:
        """Answers after 3 seconds."""
        await asyncio.sleep(3)
        return "late"


class _GraphQL(GraphQL[dict[str, Any], None]):
    async def get_context(self, request: Request | WebSocket,
                          response: Response | WebSocket) -> dict[str, Any]:
        COUNTER["requests"] += 1
        return {"request": request}


schema = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=False))


async def stats(request: Request) -> Response:
    return JSONResponse(COUNTER)


async def holding(request: Request) -> Response:
    return JSONResponse({"waiting": GATE["waiting"]})


async def release(request: Request) -> Response:
    if GATE["open"] is not None:
        GATE["open"].set()
    return JSONResponse({"released": True})


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


app = Starlette(routes=[Route("/graphql", _GraphQL(schema, graphql_ide=None), methods=["POST"]),
                        Route("/stats", stats), Route("/healthz", health),
                        Route("/holding", holding), Route("/release", release,
                                                          methods=["POST"])])
