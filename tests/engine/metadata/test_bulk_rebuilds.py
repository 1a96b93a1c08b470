"""``bulk``: enum tables are judged as of the last schema rebuild, as Hasura judges them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.services.engine import EngineHandle

_BAD = "illegal+graphql+identifier"


@pytest.fixture
def colors(api: EngineHandle) -> Iterator[EngineHandle]:
    """A tracked ``colors`` table fit to be an enum table (not marked yet)."""
    api.run_sql("create table colors (value text primary key, comment text);"
                "insert into colors values ('red', '#FF0000'), ('blue', '#0000FF');")
    assert api.query({"type": "track_table", "args": "colors"}).status_code == 200
    yield api
    api.query({"type": "clear_metadata", "args": {}})
    api.run_sql("drop table if exists colors cascade")


def _mark_enum() -> dict[str, object]:
    return {"type": "set_table_is_enum", "args": {"table": "colors", "is_enum": True}}


def _insert_bad() -> dict[str, object]:
    return {"type": "run_sql",
            "args": {"sql": "INSERT INTO colors (value, comment) "
                              "VALUES ('illegal+graphql+identifier', '')"}}


def test_bulk_data_only_run_sql_after_enum_marking_waits_for_reload(
        colors: EngineHandle) -> None:
    """Bulk data-only run_sql after enum marking waits for reload.

    GIVEN a bulk marking colors an enum table, then inserting a value that is no GraphQL name
    (a data-only run_sql, which does not rebuild Hasura's schema cache) WHEN posted THEN it
    succeeds and the API is still served; reload_metadata then reports (not refuses) the
    table as inconsistent with that value, and drop_inconsistent_metadata drops it.
    """
    response = colors.query({"type": "bulk", "args": [_mark_enum(), _insert_bad()]})
    assert response.status_code == 200, response.text
    served = colors.graphql("{ colors(order_by: {value: asc}) { value } }")
    assert served == {"data": {"colors": [{"value": "blue"}, {"value": _BAD}, {"value": "red"}]}}
    reloaded = colors.query({"type": "reload_metadata", "args": {}}).json()
    assert reloaded["is_consistent"] is False
    reasons = [item["reason"] for item in reloaded["inconsistent_objects"]]
    assert any(f'the value "{_BAD}" is not a valid GraphQL enum value name' in r
               for r in reasons), reasons
    dropped = colors.query({"type": "drop_inconsistent_metadata", "args": {}})
    assert dropped.status_code == 200, dropped.text
    exported = colors.query({"type": "export_metadata", "args": {}}).json()
    assert exported["sources"][0].get("tables", []) == []


def test_bulk_enum_marking_after_the_insert_is_refused(colors: EngineHandle) -> None:
    """Bulk enum marking after the insert is refused.

    GIVEN a bulk inserting a value that is no GraphQL name, then marking colors an enum table
    WHEN posted THEN the marking's rebuild reads the value: 400, nothing kept.
    """
    response = colors.query({"type": "bulk", "args": [_insert_bad(), _mark_enum()]})
    assert response.status_code == 400, response.text
    assert f'the value "{_BAD}"' in response.json()["error"]
    rows = colors.run_sql("select count(*) from colors")
    assert rows["result"][1] == ["2"]
