"""The timeline's triggers: cache invalidation on new and deleted posts, the expiry sweep.

``POST /events/timeline-posts`` (event trigger ``timeline_posts_changed`` on ``posts``
inserts and deletes) starts new generations of the cached entries the change affects.
``POST /cron/expire-posts`` (cron trigger ``expire_posts``) deletes expired posts in
batches and answers how many.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from common.engine_client import AsyncEngineClient, EngineCallError
from common.shared_secret import require_secret
from timeline.cache.base import CacheUnavailableError, TimelineCache
from timeline.cache.factory import build_cache
from timeline.invalidation import affected_scopes, invalidate
from timeline.service import build_admin_client
from timeline.settings import TimelineSettings, get_timeline_settings
from timeline.sweep import sweep
from triggers.errors import InvalidPayloadError, UpstreamError
from triggers.payloads import CronPayload, EventPayload, parse
from triggers.settings import shared_secret

logger = logging.getLogger("triggers.timeline")


@dataclass
class TimelineResources:
    """The cache and the admin engine client, built on first use and kept."""

    settings: TimelineSettings
    cache: TimelineCache
    admin: AsyncEngineClient | None = None

    def admin_client(self) -> AsyncEngineClient:
        """The admin client, built when the sweep first runs."""
        if self.admin is None:
            self.admin = build_admin_client(self.settings)
        return self.admin

    async def close(self) -> None:
        """Release connections."""
        await self.cache.close()
        if self.admin is not None:
            await self.admin.close()


@cache
def resources() -> TimelineResources:
    """The process's timeline resources."""
    settings = get_timeline_settings()
    return TimelineResources(settings, build_cache(settings))


async def timeline_posts_changed(request: Request) -> Response:
    """Invalidate the cached timeline entries a new or deleted post affects."""
    require_secret(request.headers, shared_secret())
    event = parse(EventPayload, await request.body())
    if (event.table.schema_, event.table.name) != ("public", "posts"):
        raise InvalidPayloadError(f"not an event on public.posts: {event.table.name}")
    data = event.event.data
    scopes = affected_scopes(event.event.op, data.get("old"), data.get("new"), event.created_at)
    try:
        await invalidate(resources().cache, scopes)
    except CacheUnavailableError as exc:
        # A 5xx makes the engine retry the event: entries must not outlive the change.
        raise UpstreamError(f"timeline cache unavailable: {exc}") from exc
    names = sorted(s.value for s in scopes)
    logger.info("event %s: op=%s invalidated=%s", event.id, event.event.op, names or "nothing")
    return JSONResponse({"invalidated": names})


async def expire_posts(request: Request) -> Response:
    """Delete expired posts in batches; answer ``{deleted, batches, batch_size, finished}``."""
    require_secret(request.headers, shared_secret())
    cron = parse(CronPayload, await request.body())
    settings = resources().settings
    batch_size = settings.sweep_batch_size
    if isinstance(cron.payload, dict) and "batch_size" in cron.payload:
        batch_size = cron.payload["batch_size"]
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidPayloadError("payload.batch_size must be a positive integer")
    try:
        report = await sweep(resources().admin_client(), batch_size, settings.sweep_max_batches)
    except EngineCallError as exc:
        raise UpstreamError(f"expiry sweep failed: {exc}") from exc
    logger.info("cron %s: expired posts deleted=%d batches=%d finished=%s", cron.name,
                report.deleted, report.batches, report.finished)
    return JSONResponse(report.as_json())
