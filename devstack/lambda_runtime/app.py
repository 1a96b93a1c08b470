"""The Lambda Invoke API (``POST /2015-03-31/functions/<name>/invocations``) on loopback.

Answers as Lambda does: the handler's result as the body with status 200; a handler
exception also with 200, header ``X-Amz-Function-Error: Unhandled`` and
``{errorMessage, errorType, stackTrace}``; an unknown function with 404
``ResourceNotFoundException``. ``InvocationType: Event`` runs the handler in the background
and answers 202; ``DryRun`` answers 204.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstack.lambda_runtime import cognito_fidelity
from devstack.lambda_runtime.config import RuntimeConfig
from devstack.lambda_runtime.pool import FunctionPool, InvocationError


def _aws_error(status: int, error_type: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"Type": "User", "message": message},
        status_code=status,
        headers={"x-amzn-ErrorType": error_type},
    )


def create_app(config: RuntimeConfig | None = None) -> Starlette:
    """The Invoke API serving ``config``'s functions (default: the file named in the env)."""
    runtime_config = config or RuntimeConfig.load()
    pool = FunctionPool(dict(runtime_config.functions))
    background: set[asyncio.Task[Any]] = set()

    async def invoke(request: Request) -> Response:
        name = request.path_params["name"].rsplit(":", 1)[-1]  # accept a function ARN too
        instance = pool.get(name)
        if instance is None:
            return _aws_error(404, "ResourceNotFoundException",
                              f"Function not found: {request.path_params['name']}")
        body = await request.body()
        try:
            event = json.loads(body) if body else {}
        except json.JSONDecodeError:
            return _aws_error(400, "InvalidRequestContentException",
                              "Could not parse request body into json")
        invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
        if invocation_type == "DryRun":
            return Response(status_code=204)
        if invocation_type == "Event":
            task = asyncio.create_task(_run_quietly(instance.invoke(event)))
            background.add(task)
            task.add_done_callback(background.discard)
            return Response(status_code=202)
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        try:
            result = await instance.invoke(event)
        except InvocationError as exc:
            headers["X-Amz-Function-Error"] = "Unhandled"
            return Response(json.dumps(exc.payload), 200, headers, "application/json")
        await cognito_fidelity.after_invocation(event)
        return Response(json.dumps(result), 200, headers, "application/json")

    async def health(request: Request) -> Response:
        return JSONResponse({"functions": sorted(pool.instances)})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await pool.stop()

    return Starlette(
        routes=[
            Route("/2015-03-31/functions/{name}/invocations", invoke, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


async def _run_quietly(invocation: Any) -> None:
    # Lambda only logs an asynchronous invocation's failure; the worker already did.
    with contextlib.suppress(InvocationError):
        await invocation


def app_from_environment() -> Starlette:
    """Factory for uvicorn (``--factory``): reads ``LAMBDA_RUNTIME_CONFIG``."""
    return create_app()
