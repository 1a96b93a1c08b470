"""The service as an ASGI app: ``/graphql`` (POST), ``/healthz`` and ``/stats``.

``/stats`` counts GraphQL requests and repository queries since start, so the batching of
remote joins (and what Athena is asked) can be checked from outside. ``/graphql`` and
``/stats`` answer 401 without the shared secret in ``X-Action-Secret``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from common.errors import ServiceError
from common.shared_secret import require_secret
from credit_history.repository import CreditRepository
from credit_history.schema import schema
from credit_history.settings import CreditHistorySettings


def make_repository(settings: CreditHistorySettings) -> CreditRepository:
    """The repository the settings name (imports only what that backend needs)."""
    if settings.backend == "athena":
        import boto3

        from credit_history.athena_repository import AthenaRepository

        client = boto3.client("athena", region_name=settings.aws_region,
                              endpoint_url=settings.aws_endpoint_url)
        assert settings.athena_workgroup is not None
        assert settings.athena_database is not None
        return AthenaRepository(client, settings.athena_workgroup, settings.athena_database,
                                timeout_seconds=settings.athena_timeout_seconds)
    from credit_history.duckdb_repository import DuckDBRepository

    assert settings.data_dir is not None
    mirror = None
    if settings.archive_bucket:
        import boto3

        from credit_history.archive_mirror import S3ArchiveMirror

        s3 = boto3.client("s3", region_name=settings.aws_region,
                          endpoint_url=settings.aws_endpoint_url)
        mirror = S3ArchiveMirror(s3, settings.archive_bucket, settings.archive_data_prefix,
                                 settings.data_dir)
    return DuckDBRepository(settings.data_dir, mirror)


class _GraphQL(GraphQL[dict[str, Any], None]):
    """Strawberry's ASGI view with the repository in every request's context."""

    def __init__(self, repository: CreditRepository, counter: dict[str, int]) -> None:
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=False)
        self.repository = repository
        self.counter = counter

    async def get_context(self, request: Request | WebSocket,
                          response: Response | WebSocket) -> dict[str, Any]:
        self.counter["graphql_requests"] += 1
        return {"request": request, "repository": self.repository}


def create_app(settings: CreditHistorySettings | None = None,
               repository: CreditRepository | None = None) -> Starlette:
    """The ASGI app (the repository is made from the settings unless given)."""
    settings = settings or CreditHistorySettings.from_env()
    repo = repository or make_repository(settings)
    counter = {"graphql_requests": 0}

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def stats(request: Request) -> Response:
        return JSONResponse({**counter, "repository_queries": repo.queries})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        close = getattr(repo, "close", None)
        if close is not None:
            close()

    graphql = _GraphQL(repo, counter)
    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"]),
                            Route("/healthz", healthz), Route("/stats", stats)],
                    lifespan=lifespan)
    if settings.shared_secret is not None:
        app.add_middleware(SharedSecretGuard, secret=settings.shared_secret.reveal())
    return app


class SharedSecretGuard:
    """Answers 401 to every request but ``/healthz`` without the shared ``X-Action-Secret``."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the header, then hand the request on."""
        if scope["type"] == "http" and scope["path"] != "/healthz":
            try:
                require_secret(Headers(scope=scope), self.secret)
            except ServiceError as exc:
                await JSONResponse(exc.to_json(), status_code=exc.status)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def app() -> Starlette:
    """The app built from the environment (``uvicorn --factory credit_history.app:app``)."""
    return create_app()
