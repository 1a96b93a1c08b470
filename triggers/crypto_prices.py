"""``POST /cron/fetch-crypto-prices``: the minute cron runs the Coinbase price Lambda.

The Lambda is invoked synchronously through the Lambda Invoke API (the local runtime in the
stack, the real service on AWS) with the cron body as its event, so the run's minute is the
scheduled time. A failed invocation answers 502 so the engine retries the run as its
``retry_conf`` says; an offline Coinbase is not a failure of the run (the Lambda reports it
in its summary and the next minute tries again).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from common.shared_secret import require_secret
from triggers.errors import UpstreamError
from triggers.payloads import CronPayload, parse
from triggers.settings import get_settings, shared_secret

logger = logging.getLogger("triggers.crypto_prices")


@cache
def lambda_client() -> Any:
    """The Lambda client (built once; no SDK retries: the cron trigger retries the run)."""
    settings = get_settings()
    config = Config(
        read_timeout=settings.lambda_timeout_seconds,
        connect_timeout=5,
        retries={"max_attempts": 0, "mode": "standard"},
    )
    return boto3.client(
        "lambda",
        region_name=settings.aws_region,
        endpoint_url=settings.lambda_endpoint_url,
        config=config,
    )


def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run ``function`` with ``event`` and return its result (an error if it raised)."""
    try:
        answer = lambda_client().invoke(
            FunctionName=function,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode(),
        )
    except (BotoCoreError, ClientError) as exc:
        raise UpstreamError(
            f"could not invoke {function}: {exc}", code="lambda-unavailable"
        ) from None
    raw = answer["Payload"].read()
    if answer.get("FunctionError"):
        try:
            detail = json.loads(raw).get("errorMessage", "")
        except (ValueError, AttributeError):
            detail = ""
        raise UpstreamError(f"{function} failed: {detail}".rstrip(": "), code="lambda-failed")
    result = json.loads(raw) if raw else {}
    return result if isinstance(result, dict) else {"result": result}


async def fetch_crypto_prices(request: Request) -> Response:
    """Invoke the price Lambda for this cron run and answer with its summary."""
    settings = get_settings()
    require_secret(request.headers, shared_secret())
    run = parse(CronPayload, await request.body())
    event = run.model_dump(mode="json")
    summary = await run_in_threadpool(invoke, settings.coinbase_function_name, event)
    failed = summary.get("failed") or []
    logger.info(
        "cron %s at %s: %s stored, %d failed",
        run.name, event["scheduled_time"], summary.get("stored"), len(failed),
    )
    return JSONResponse(summary)
