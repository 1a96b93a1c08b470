"""``POST /cron/archive-crypto-prices``: daily, old prices to Parquet in S3, then deleted.

The payload may set ``retention_days`` (keep this many days in PostgreSQL, default
``PRICE_ARCHIVE_RETENTION_DAYS``) and ``max_days`` (days archived per run, default 7). Rows
are read and deleted through the engine as admin; a day's rows are deleted only after its
file is in the bucket (see :mod:`price_archive.archive`). A failed upload or engine call
answers 502, so the engine retries the run.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from common.engine_client import EngineCallError
from common.shared_secret import require_secret
from price_archive.archive import S3Store, archive_prices
from triggers.errors import InvalidPayloadError, UpstreamError
from triggers.payloads import CronPayload, parse
from triggers.settings import get_settings, shared_secret
from triggers.timeline import resources

logger = logging.getLogger("triggers.price_archive")


@cache
def _s3() -> Any:
    return boto3.client("s3", region_name=get_settings().aws_region)


def _positive(payload: dict[str, Any], key: str, default: int) -> int:
    value = payload.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidPayloadError(f"payload.{key} must be a positive integer")
    return value


async def archive_crypto_prices(request: Request) -> Response:
    """Archive whole days of old prices; answer ``{days, rows, files}``."""
    require_secret(request.headers, shared_secret())
    cron = parse(CronPayload, await request.body())
    payload = cron.payload if isinstance(cron.payload, dict) else {}
    settings = get_settings()
    retention = _positive(payload, "retention_days", settings.price_archive_retention_days)
    max_days = _positive(payload, "max_days", 7)
    if not settings.price_archive_bucket:
        raise UpstreamError("the price archive has no bucket (set PRICE_ARCHIVE_BUCKET)")
    store = S3Store(_s3(), settings.price_archive_bucket)
    try:
        report = await archive_prices(resources().admin_client().data, store,
                                      settings.price_archive_data_prefix, retention, max_days)
    except EngineCallError as exc:
        raise UpstreamError(f"price archive failed: {exc}") from exc
    except (BotoCoreError, ClientError, OSError) as exc:
        raise UpstreamError(f"price archive upload failed ({type(exc).__name__}); "
                            "nothing of that day was deleted") from exc
    logger.info("cron %s: archived %d rows of %s", cron.name, report.rows,
                ", ".join(report.days) or "no day")
    return JSONResponse(report.as_json())
