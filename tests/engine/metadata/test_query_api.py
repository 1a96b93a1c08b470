"""The query APIs over HTTP (``run_sql``, ``insert``, ``count``), against a real PostgreSQL."""

from __future__ import annotations

from devstack.services.engine import EngineHandle
from tests.engine.metadata.exported import tables


def test_run_sql_select_answers_tuples_as_text(api: EngineHandle) -> None:
    """Run sql select answers tuples as text.

    GIVEN a query WHEN run_sql runs it THEN TuplesOk with a header row and text values.
    """
    body = api.run_sql("select 1 as one, true as yes, null::text as nothing, 'x'::text as s")
    assert body == {"result_type": "TuplesOk",
                    "result": [["one", "yes", "nothing", "s"], ["1", "t", None, "x"]]}


def test_run_sql_ddl_answers_command_ok(api: EngineHandle) -> None:
    """Run sql ddl answers command ok.

    GIVEN DDL with several statements WHEN run_sql runs it THEN CommandOk.
    """
    body = api.run_sql("create table tmp_a (id int); drop table tmp_a;")
    assert body == {"result_type": "CommandOk", "result": None}


def test_run_sql_error_is_a_postgres_error_with_status_400(api: EngineHandle) -> None:
    """Run sql error is a postgres error with status 400.

    GIVEN invalid SQL WHEN run_sql runs it THEN 400 postgres-error (never 500).
    """
    response = api.query({"type": "run_sql", "args": {"sql": "select * from no_such_table"}})
    assert response.status_code == 400
    assert response.json()["code"] == "postgres-error"


def test_run_sql_read_only_refuses_writes(api: EngineHandle) -> None:
    """Run sql read only refuses writes.

    GIVEN read_only WHEN run_sql tries to create a table THEN it fails and nothing exists.
    """
    response = api.query({"type": "run_sql", "args": {
        "sql": "create table ro_attempt (id int)", "read_only": True}})
    assert response.status_code == 400
    exists = api.run_sql("select to_regclass('ro_attempt') is null")
    assert exists["result"][1] == ["t"]


def test_dropping_a_tracked_table_removes_it_from_the_metadata(blog: EngineHandle) -> None:
    """Dropping a tracked table removes it from the metadata.

    GIVEN author.articles points at article WHEN article is dropped without cascade THEN
    dependency-error; with cascade THEN article and the relationship leave the metadata.
    """
    refused = blog.query({"type": "run_sql", "args": {"sql": "drop table article"}})
    assert refused.status_code == 400
    assert refused.json()["code"] == "dependency-error"
    assert "article" in tables(blog)
    done = blog.query({"type": "run_sql", "args": {"sql": "drop table article",
                                                    "cascade": True}})
    assert done.status_code == 200, done.text
    assert set(tables(blog)) == {"author"}
    assert "array_relationships" not in tables(blog)["author"]


def test_insert_loads_rows_and_answers_affected_rows(blog: EngineHandle) -> None:
    """Insert loads rows and answers affected rows.

    GIVEN tracked tables WHEN the v1 insert loads rows (with defaults and returning) THEN
    affected_rows counts them and the rows are in the table.
    """
    response = blog.query({"type": "insert", "args": {
        "table": "author", "objects": [{"name": "A"}, {"name": "B"}], "returning": ["id"]}})
    assert response.status_code == 200, response.text
    assert response.json() == {"affected_rows": 2, "returning": [{"id": 1}, {"id": 2}]}
    counted = blog.query({"type": "count", "args": {"table": "author", "where": {"name": "B"}}})
    assert counted.json() == {"count": 1}


def test_insert_widens_numeric_scale_as_hasura_encodes_it(api: EngineHandle) -> None:
    """Insert widens numeric scale as Hasura encodes it.

    GIVEN an unconstrained and a numeric(6,2) column WHEN the v1 insert loads 12.5 into both
    THEN the first keeps four decimal places (Hasura's binary encoding) and the second two.
    """
    api.run_sql("create table money_row (id int primary key, free numeric, fixed numeric(6,2))")
    try:
        tracked = api.query({"type": "track_table", "args": {"schema": "public",
                                                             "name": "money_row"}})
        assert tracked.status_code == 200, tracked.text
        response = api.query({"type": "insert", "args": {
            "table": "money_row", "objects": [{"id": 1, "free": 12.5, "fixed": 12.5}]}})
        assert response.status_code == 200, response.text
        stored = api.run_sql("select free::text, fixed::text from money_row")
        assert stored["result"][1] == ["12.5000", "12.50"]
    finally:
        api.query({"type": "clear_metadata", "args": {}})
        api.run_sql("drop table money_row")
