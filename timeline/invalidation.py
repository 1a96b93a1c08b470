"""Which cached entries a new or deleted post affects, and invalidating them.

- A new post belongs at the head: the head is invalidated. Pages (older posts) are too when
  the post was back-dated (created before the transaction that wrote it, by an admin).
- A deleted post may sit in any entry: head and pages are invalidated, unless it had
  already expired, in which case every entry that held it has expired too (an entry's TTL
  never reaches past the earliest expiry of its posts) and nothing needs doing. So the
  expiry sweep costs the cache nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from timeline import generations
from timeline.cache.base import TimelineCache
from timeline.generations import Scope

BACKDATED = timedelta(seconds=1)
"""A post created this much before its event was written is back-dated (an ordinary insert
has ``created_at`` equal to the event's time: both are the transaction's ``now()``)."""


def _aware(moment: datetime) -> datetime:
    # Hasura's event payload writes created_at without a zone: it is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _time(row: dict[str, Any], column: str) -> datetime:
    return _aware(datetime.fromisoformat(str(row[column])))


def affected_scopes(op: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
                    event_time: datetime) -> set[Scope]:
    """The scopes an event on ``posts`` invalidates (``op`` is INSERT, DELETE, ...)."""
    event_time = _aware(event_time)
    if op == "INSERT" and new is not None:
        if _time(new, "created_at") < event_time - BACKDATED:
            return {Scope.HEAD, Scope.PAGES}
        return {Scope.HEAD}
    if op == "DELETE" and old is not None:
        if _time(old, "expires_at") <= event_time:
            return set()
        return {Scope.HEAD, Scope.PAGES}
    # UPDATE (not captured by the project's trigger) or MANUAL: anything may have changed.
    return {Scope.HEAD, Scope.PAGES}


async def invalidate(cache: TimelineCache, scopes: set[Scope]) -> None:
    """Start new generations of ``scopes``."""
    for scope in sorted(scopes, key=lambda s: s.value):
        await generations.renew(cache, scope)
