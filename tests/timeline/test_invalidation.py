"""Which cached entries a change to ``posts`` affects (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from timeline.generations import Scope
from timeline.invalidation import affected_scopes

EVENT_TIME = datetime(2026, 12, 3, 12, 0, 0, 5000)  # Hasura writes it without a zone: UTC


def row(created: datetime, expires: datetime) -> dict[str, str]:
    return {"id": "p1", "created_at": created.isoformat(), "expires_at": expires.isoformat()}


T = EVENT_TIME.replace(tzinfo=UTC)


def test_invalidation_a_new_post_invalidates_the_head_only() -> None:
    """GIVEN a post created in the event's transaction WHEN inserted THEN only the head."""
    new = row(T - timedelta(milliseconds=3), T + timedelta(hours=1))

    assert affected_scopes("INSERT", None, new, EVENT_TIME) == {Scope.HEAD}


def test_invalidation_a_backdated_post_invalidates_older_pages_too() -> None:
    """GIVEN a post created a day before its insert (admin back-fill) THEN head and pages."""
    new = row(T - timedelta(days=1), T + timedelta(hours=1))

    assert affected_scopes("INSERT", None, new, EVENT_TIME) == {Scope.HEAD, Scope.PAGES}


def test_invalidation_deleting_a_live_post_invalidates_everything() -> None:
    """Invalidation deleting a live post invalidates everything.

    GIVEN an unexpired post WHEN its author deletes it THEN head and pages (it may be in
    any entry).
    """
    old = row(T - timedelta(days=3), T + timedelta(days=4))

    assert affected_scopes("DELETE", old, None, EVENT_TIME) == {Scope.HEAD, Scope.PAGES}


def test_invalidation_sweeping_an_expired_post_invalidates_nothing() -> None:
    """Invalidation sweeping an expired post invalidates nothing.

    GIVEN a post that had expired when the sweep deleted it THEN nothing: every entry that
    held it expired no later than the post did.
    """
    old = row(T - timedelta(hours=2), T - timedelta(hours=1))

    assert affected_scopes("DELETE", old, None, EVENT_TIME) == set()
