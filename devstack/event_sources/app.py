"""The pollers as a process with a health URL: ``/healthz`` and ``/stats`` (counters).

``uvicorn devstack.event_sources.app:app_from_environment --factory`` reads the mappings
from ``EVENT_SOURCES_CONFIG``; SQS is reached through ``AWS_ENDPOINT_URL`` (moto).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict

import boto3
from botocore.config import Config
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devstack.event_sources.config import EventSourceConfig
from devstack.event_sources.poller import QueuePoller


def create_app(config: EventSourceConfig) -> Starlette:
    """Start one poller per mapping with the app; stop them with it."""
    region = os.environ.get("AWS_REGION", "us-east-1")
    sqs = boto3.client("sqs", region_name=region)
    lambdas = boto3.client(
        "lambda", region_name=region, endpoint_url=config.lambda_endpoint,
        config=Config(read_timeout=900, retries={"max_attempts": 0}),
    )
    pollers = [QueuePoller(m, sqs, lambdas, region) for m in config.mappings]

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def stats(_request: Request) -> Response:
        return JSONResponse({
            f"{p.mapping.queue_name}->{p.mapping.function_name}": asdict(p.stats)
            for p in pollers
        })

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for poller in pollers:
            poller.start()
        yield
        for poller in pollers:
            poller.stop()

    return Starlette(routes=[Route("/healthz", healthz), Route("/stats", stats)],
                     lifespan=lifespan)


def app_from_environment() -> Starlette:
    """The app for the mappings in ``EVENT_SOURCES_CONFIG``."""
    return create_app(EventSourceConfig.load())
