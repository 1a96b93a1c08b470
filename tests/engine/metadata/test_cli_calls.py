"""The calls the Hasura CLI (v2, config v3) makes, in its own request shapes, over HTTP.

Shapes are the CLI's (``cli/internal/hasura``, ``cli/migrate/database/hasuradb`` in
hasura/graphql-engine) and the answers Hasura's (``runGetCatalogState`` and friends); the
README's "The Hasura CLI against the local engine" lists which command makes which call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from devstack.hasura_project import cli_state
from devstack.services.engine import EngineHandle

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLI_STATE = {"migrations": {"default": {"1700000000000": False}},
             "settings": {"migration_mode": "true"}, "isStateCopyCompleted": True}


@pytest.fixture(scope="module")
def cli_engine(start_engine: Callable[..., EngineHandle],
               create_database: Callable[[str], str]) -> EngineHandle:
    """An engine of its own on a fresh database (the tests change its catalog state)."""
    return start_engine(create_database("clicalls"))


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_cli_version_call_answers_a_version(cli_engine: EngineHandle) -> None:
    """GIVEN the CLI's first call WHEN GET /v1/version THEN {"version": "v2..."}."""
    body = _ok(cli_engine.http.get("/v1/version"))
    assert body["version"].startswith("v2.")


def test_cli_get_catalog_state_answers_id_cli_and_console_state(cli_engine: EngineHandle) -> None:
    """Cli get catalog state answers id, cli and console state.

    GIVEN a fresh engine WHEN get_catalog_state (args {}) THEN Hasura's shape: the server's
    uuid and both documents (objects).
    """
    body = _ok(cli_engine.metadata({"type": "get_catalog_state", "args": {}}))

    assert set(body) == {"id", "cli_state", "console_state"}
    assert UUID.match(body["id"])
    assert isinstance(body["cli_state"], dict)
    assert isinstance(body["console_state"], dict)


def test_cli_set_catalog_state_stores_where_hasura_stores_it(cli_engine: EngineHandle) -> None:
    """Cli set catalog state stores where Hasura stores it.

    GIVEN the CLI's state document and the console's WHEN set_catalog_state (type cli, then
    console) THEN each answers {"message": "success"}, get_catalog_state returns them, and
    they are the cli_state / console_state columns of hdb_catalog.hdb_version.
    """
    console_state = {"onboardingShown": True, "console_notifications": {"admin": {"read": []}}}

    assert _ok(cli_engine.metadata({"type": "set_catalog_state",
                                    "args": {"type": "cli", "state": CLI_STATE}})) == {
        "message": "success"}
    assert _ok(cli_engine.metadata({"type": "set_catalog_state",
                                    "args": {"type": "console", "state": console_state}})) == {
        "message": "success"}

    state = _ok(cli_engine.metadata({"type": "get_catalog_state", "args": {}}))
    assert state["cli_state"] == CLI_STATE
    assert state["console_state"] == console_state
    row = cli_engine.run_sql("SELECT cli_state::text, console_state::text "
                             "FROM hdb_catalog.hdb_version")
    assert row["result_type"] == "TuplesOk"
    assert '"1700000000000": false' in row["result"][1][0]
    assert "onboardingShown" in row["result"][1][1]


def test_cli_set_catalog_state_refuses_an_unknown_type(cli_engine: EngineHandle) -> None:
    """GIVEN type "server" WHEN set_catalog_state THEN 400 parse-failed at args.type."""
    response = cli_engine.metadata({"type": "set_catalog_state",
                                    "args": {"type": "server", "state": {}}})

    assert response.status_code == 400
    assert response.json()["code"] == "parse-failed"
    assert response.json()["path"] == "$.args.type"


def test_cli_migrate_apply_bulk_calls(cli_engine: EngineHandle) -> None:
    """Cli migrate apply bulk calls.

    GIVEN a migration's up.sql WHEN sent as the CLI sends it (a /v2/query bulk with the source
    beside the args, run_sql without metadata checks; then an empty /v1/metadata bulk)
    THEN the first answers one CommandOk result, the second an empty list, and the table is
    there.
    """
    answer = _ok(cli_engine.post("/v2/query", {
        "type": "bulk", "source": "default",
        "args": [{"type": "run_sql", "args": {
            "sql": "CREATE TABLE cli_made (id serial PRIMARY KEY, note text);",
            "check_metadata_consistency": False}}]}, cli_engine.admin_headers()))
    metadata_part = _ok(cli_engine.metadata({"type": "bulk", "args": None}))

    assert answer == [{"result_type": "CommandOk", "result": None}]
    assert metadata_part == []
    assert cli_engine.run_sql("SELECT to_regclass('public.cli_made') IS NOT NULL")[
        "result"][1] == ["t"]


def test_cli_seed_apply_run_sql_with_source(cli_engine: EngineHandle) -> None:
    """GIVEN a seed file WHEN sent as run_sql with "source" on /v2/query THEN CommandOk."""
    cli_engine.run_sql("CREATE TABLE IF NOT EXISTS cli_seeded (id int PRIMARY KEY)")

    answer = _ok(cli_engine.post("/v2/query", {"type": "run_sql", "args": {
        "source": "default", "sql": "INSERT INTO cli_seeded VALUES (1), (2);"}},
        cli_engine.admin_headers()))

    assert answer == {"result_type": "CommandOk", "result": None}


def test_cli_metadata_apply_export_reload_and_ic_list(cli_engine: EngineHandle) -> None:
    """Cli metadata apply, export, reload and ic list.

    GIVEN a table WHEN metadata apply (replace_metadata v2), export, reload and ic list run as
    the CLI sends them THEN each answers in Hasura's shape and export returns what was
    applied.
    """
    cli_engine.run_sql("CREATE TABLE IF NOT EXISTS cli_tracked (id int PRIMARY KEY)")
    exported = _ok(cli_engine.metadata({"type": "export_metadata", "args": {}}))
    exported["sources"][0]["tables"] = [{"table": {"schema": "public", "name": "cli_tracked"}}]

    applied = _ok(cli_engine.metadata({"type": "replace_metadata", "version": 2, "args": {
        "allow_inconsistent_metadata": False, "metadata": exported}}))
    again = _ok(cli_engine.metadata({"type": "export_metadata", "args": {}}))
    reloaded = _ok(cli_engine.metadata({"type": "reload_metadata", "args": {}}))
    listed = _ok(cli_engine.metadata({"type": "get_inconsistent_metadata", "args": {}}))

    assert applied == {"is_consistent": True, "inconsistent_objects": []}
    assert again["version"] == 3
    assert again["sources"][0]["tables"] == [
        {"table": {"schema": "public", "name": "cli_tracked"}}]
    assert reloaded["message"] == "success"
    assert reloaded["is_consistent"] is True
    assert listed == {"is_consistent": True, "inconsistent_objects": []}


def test_cli_state_written_by_devstack_is_what_the_cli_reads(
    cli_engine: EngineHandle,
) -> None:
    """Cli state written by devstack is what the CLI reads.

    GIVEN devstack recording a migration in cli_state (as `devstack migrate apply` does)
    WHEN the CLI asks get_catalog_state THEN it sees that version, clean.
    """
    import psycopg

    with psycopg.connect(cli_engine.server.database_url, autocommit=True) as conn, \
            conn.transaction():
        cli_state.record(conn, "default", 1800000000000, applied=True)

    state = _ok(cli_engine.metadata({"type": "get_catalog_state", "args": {}}))

    assert state["cli_state"]["migrations"]["default"]["1800000000000"] is False
