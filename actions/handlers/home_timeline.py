"""``homeTimeline(limit, before)``: unexpired posts, newest first, from the timeline cache.

Anonymous callers and users get the same public timeline; ``before`` pages back in time
(pass the previous answer's ``next_before``). See :mod:`timeline.feed` for the cache.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from actions.context import ActionContext
from actions.errors import ActionError
from actions.models import StrictInput
from common.engine_client import EngineCallError
from timeline.posts import PAGE_SIZE

NAME = "homeTimeline"
DEFAULT_LIMIT = 20


class Input(StrictInput):
    """How many posts, and older than what (a timestamptz; none for the newest)."""

    limit: int | None = Field(default=None, ge=1, le=PAGE_SIZE)
    before: datetime | None = None


async def handle(ctx: ActionContext, data: Input) -> dict[str, Any]:
    """The page, from the cache when it holds it."""
    try:
        page = await ctx.timeline.read(data.limit or DEFAULT_LIMIT, data.before)
    except EngineCallError as exc:
        raise ActionError("The timeline cannot be read right now; try again.",
                          code="timeline-unavailable", status=502) from exc
    return page.as_json()
