"""run_sql may not overload a tracked function nor make it VOLATILE, as in Hasura."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.services.engine import EngineHandle


@pytest.fixture
def search(api: EngineHandle) -> Iterator[EngineHandle]:
    """A tracked STABLE function ``search_posts(text)`` over a ``post`` table."""
    api.run_sql("""
        create table post (id serial primary key, title text);
        insert into post (title) values ('hello'), ('world');
        create function search_posts(search text) returns setof post as $$
            select * from post where title ilike ('%' || search || '%')
        $$ language sql stable;
    """)
    assert api.query({"type": "track_table", "args": "post"}).status_code == 200
    tracked = api.query({"type": "track_function",
                         "args": {"schema": "public", "name": "search_posts"}})
    assert tracked.status_code == 200, tracked.text
    yield api
    api.query({"type": "clear_metadata", "args": {}})
    api.run_sql("drop function if exists search_posts(text); "
                "drop function if exists search_posts(text, integer); drop table if exists post")


def _sql(engine: EngineHandle, sql: str) -> tuple[int, dict[str, object]]:
    response = engine.query({"type": "run_sql", "args": {"sql": sql}})
    return response.status_code, response.json()


def test_run_sql_overloading_a_tracked_function_is_refused(search: EngineHandle) -> None:
    """Run sql overloading a tracked function is refused.

    GIVEN a tracked function WHEN run_sql creates another function of that name THEN 400
    not-supported naming it, the overload rolled back and the function still served.
    """
    status, body = _sql(search, """
        create function search_posts(search text, id integer) returns setof post as $$
            select * from post where id = id
        $$ language sql stable""")
    assert status == 400, body
    assert body["code"] == "not-supported"
    assert body["error"] == "the following tracked function(s) cannot be overloaded: search_posts"
    _, count = _sql(search, "select count(*) from pg_proc where proname = 'search_posts'")
    assert count["result"] == [["count"], ["1"]]
    served = search.graphql('{ search_posts(args: {search: "hel"}) { title } }')
    assert served == {"data": {"search_posts": [{"title": "hello"}]}}


def test_run_sql_making_a_tracked_function_volatile_is_refused(search: EngineHandle) -> None:
    """Run sql making a tracked function volatile is refused.

    GIVEN a tracked STABLE function WHEN run_sql replaces it by a VOLATILE one THEN 400
    not-supported; replacing it by another STABLE body is accepted.
    """
    status, body = _sql(search, """
        create or replace function search_posts(search text) returns setof post as $$
            insert into post (title) values (search) returning *
        $$ language sql volatile""")
    assert status == 400, body
    assert body["code"] == "not-supported"
    assert body["error"] == ('type of function "search_posts" is altered to "VOLATILE" which '
                             "is not supported now")
    status, body = _sql(search, """
        create or replace function search_posts(search text) returns setof post as $$
            select * from post where title ilike (search || '%')
        $$ language sql stable""")
    assert status == 200, body


def test_track_function_checks_the_session_argument_and_overloads(search: EngineHandle) -> None:
    """Track function checks the session argument and overloads.

    GIVEN functions with and without a json argument, and an overloaded one WHEN tracked with
    a session argument that is no input argument, or not json, or overloaded THEN 400, each
    with Hasura's reason; a json session argument is accepted.
    """
    search.run_sql("""
        create function session_value(hasura_session json, session_var text) returns setof post
            as $$ select * from post where title = hasura_session ->> session_var $$
            language sql stable;
        create function twice(a integer) returns setof post as $$ select * from post $$
            language sql stable;
        create function twice(a text) returns setof post as $$ select * from post $$
            language sql stable;
    """)
    try:
        def track(name: str, session: str | None = None) -> dict[str, object]:
            configuration = {"session_argument": session} if session else {}
            response = search.query({"type": "track_function", "version": 2, "args": {
                "function": name, "configuration": configuration}})
            return {"status": response.status_code, **response.json()}

        cannot = ('Inconsistent object: in function "session_value": the function '
                  '"session_value" cannot be tracked because given session argument ')
        assert track("session_value", "random")["error"] == (
            cannot + '"random" not the input argument of the function')
        assert track("session_value", "session_var")["error"] == (
            cannot + '"session_var" is not of type json')
        overloaded = track("twice")
        assert overloaded["status"] == 400
        assert overloaded["error"] == ('Inconsistent object: in function "twice": function '
                                       '"twice" is overloaded. Overloaded functions are not '
                                       "supported")
        assert track("session_value", "hasura_session")["status"] == 200
    finally:
        search.query({"type": "untrack_function", "args": {"schema": "public",
                                                           "name": "session_value"}})
        search.run_sql("drop function session_value(json, text); drop function twice(integer); "
                       "drop function twice(text)")
