"""Two engine instances on one database: metadata changed through one is served by the other."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from devstack.services.engine import EngineHandle

DEADLINE_S = 60.0


def _eventually(check: Callable[[], Any], what: str) -> Any:
    """``check()``'s first truthy answer, polled until a generous deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"not within {DEADLINE_S:.0f}s: {what}")


def _version(engine: EngineHandle) -> int:
    exported = engine.metadata({"type": "export_metadata", "version": 2, "args": {}})
    assert exported.status_code == 200, exported.text
    return int(exported.json()["resource_version"])


def _tracked(engine: EngineHandle) -> set[str]:
    exported = engine.metadata({"type": "export_metadata", "args": {}}).json()
    return {t["table"]["name"] for s in exported["sources"] for t in s.get("tables", [])}


@pytest.fixture
def pair(start_engine: Callable[..., EngineHandle], database_url: str,
         ) -> tuple[EngineHandle, EngineHandle]:
    """Two engines on one fresh database, the second with the sync on (Hasura's default)."""
    return start_engine(database_url), start_engine(database_url)


def test_sync_changes_through_one_instance_are_served_by_the_other(
    pair: tuple[EngineHandle, EngineHandle],
) -> None:
    """Sync changes through one instance are served by the other.

    GIVEN two engines on one database WHEN a table is created and tracked through the first
    THEN the second serves it; WHEN run_sql adds a column through the first (a database-only
    change) THEN the second serves the column; WHEN the first untracks the table THEN the
    second stops serving it.
    """
    first, second = pair
    first.run_sql("create table note (id serial primary key, body text);"
                  "insert into note (body) values ('hello');")
    tracked = first.query({"type": "track_table", "args": {"schema": "public", "name": "note"}})
    assert tracked.status_code == 200, tracked.text

    answer = _eventually(lambda: second.graphql("{ note { id body } }").get("data"),
                         "the second engine serving note")
    assert answer == {"note": [{"id": 1, "body": "hello"}]}

    first.run_sql("alter table note add column color text default 'red'")
    answer = _eventually(lambda: second.graphql("{ note { color } }").get("data"),
                         "the second engine serving the new column")
    assert answer == {"note": [{"color": "red"}]}
    assert _version(second) == _version(first)

    untracked = first.query({"type": "untrack_table", "args": {"table": "note"}})
    assert untracked.status_code == 200, untracked.text
    _eventually(lambda: "errors" in second.graphql("{ note { id } }"),
                "the second engine no longer serving note")


def test_sync_stale_writes_are_refused_or_based_on_the_latest_metadata(
    start_engine: Callable[..., EngineHandle], database_url: str,
) -> None:
    """Sync stale writes are refused or based on the latest metadata.

    GIVEN two engines on one database, the second with the sync off (it never polls nor
    listens) WHEN the first tracks a table THEN a change through the second naming the
    version it last saw is refused with 409, and a change through the second naming no
    version keeps the first's table (it runs on the stored metadata, not its stale copy).
    """
    first = start_engine(database_url)
    second = start_engine(database_url,
                          extra_env={"HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL": "0"})
    first.run_sql("create table alpha (id int primary key); create table beta (id int primary key)")
    seen = _version(second)
    tracked = first.query({"type": "track_table", "args": {"schema": "public", "name": "alpha"}})
    assert tracked.status_code == 200, tracked.text

    stale = second.metadata({"type": "pg_track_table", "resource_version": seen,
                             "args": {"table": "beta"}})
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "conflict"

    fresh = second.metadata({"type": "pg_track_table", "args": {"table": "beta"}})
    assert fresh.status_code == 200, fresh.text
    assert _tracked(second) == {"alpha", "beta"}
    assert _eventually(lambda: _tracked(first) == {"alpha", "beta"}, "the first taking in beta")
