"""/v1/graphql through the server: schema rebuilt on metadata changes, sessions passed on."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devstack.services.engine import EngineHandle


@pytest.fixture(scope="module")
def notes(start_engine: Callable[..., EngineHandle],
          create_database: Callable[[str], str]) -> EngineHandle:
    """An engine with a ``note`` table readable by role user for its own rows."""
    handle = start_engine(create_database("gqlroute"))
    handle.run_sql("""
        create table note (id serial primary key, owner text not null, body text not null);
        insert into note (owner, body) values ('u1', 'first'), ('u2', 'second');
    """)
    response = handle.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "note"}},
        {"type": "pg_create_select_permission", "args": {
            "table": "note", "role": "user", "permission": {
                "columns": ["id", "body"], "filter": {"owner": {"_eq": "X-Hasura-User-Id"}}}}},
    ]})
    assert response.status_code == 200, response.text
    return handle


def test_a_table_tracked_through_the_api_is_queryable_at_once(notes: EngineHandle) -> None:
    """A table tracked through the api is queryable at once.

    GIVEN a table tracked by a metadata call WHEN it is queried as admin THEN its rows come
    back (the schema was rebuilt by the metadata change).
    """
    body = notes.graphql("{ note(order_by: {id: asc}) { id body } }")
    assert body == {"data": {"note": [{"id": 1, "body": "first"}, {"id": 2, "body": "second"}]}}


def test_session_variables_from_admin_headers_reach_permissions(notes: EngineHandle) -> None:
    """Session variables from admin headers reach permissions.

    GIVEN the admin secret with X-Hasura-Role user and X-Hasura-User-Id u2 WHEN notes are
    queried THEN only u2's row comes back.
    """
    body = notes.graphql("{ note { id body } }",
                         headers={"X-Hasura-Role": "user", "X-Hasura-User-Id": "u2"})
    assert body == {"data": {"note": [{"id": 2, "body": "second"}]}}


def test_the_anonymous_role_sees_only_what_it_is_granted(notes: EngineHandle) -> None:
    """The anonymous role sees only what it is granted.

    GIVEN no credentials (unauthorized role anonymous, no permission on note) WHEN notes are
    queried THEN a validation error, no data.
    """
    body = notes.graphql("{ note { id } }", admin=False)
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "validation-failed"


def test_a_batch_is_answered_with_a_list(notes: EngineHandle) -> None:
    """A batch is answered with a list.

    GIVEN a JSON array of two requests WHEN posted THEN a list of two responses in order.
    """
    response = notes.post("/v1/graphql", [
        {"query": "{ note(where: {id: {_eq: 1}}) { body } }"},
        {"query": "{ note(where: {id: {_eq: 2}}) { body } }"},
    ], notes.admin_headers())
    assert response.status_code == 200
    assert response.json() == [{"data": {"note": [{"body": "first"}]}},
                               {"data": {"note": [{"body": "second"}]}}]


def test_untracking_removes_the_root_field(notes: EngineHandle) -> None:
    """Untracking removes the root field.

    GIVEN a tracked table WHEN it is untracked THEN querying it is a validation error; tracking
    it again brings it back.
    """
    assert notes.metadata({"type": "pg_untrack_table",
                           "args": {"table": "note"}}).status_code == 200
    gone = notes.graphql("{ note { id } }")
    assert gone["errors"][0]["extensions"]["code"] == "validation-failed"
    assert notes.metadata({"type": "pg_track_table",
                           "args": {"table": "note"}}).status_code == 200
    assert "data" in notes.graphql("{ note { id } }")


def test_v1alpha1_answers_a_failed_request_with_its_error_status(notes: EngineHandle) -> None:
    """V1alpha1 answers a failed request with its error status.

    GIVEN the older /v1alpha1/graphql endpoint WHEN a request fails as a whole THEN 400 with the
    errors (where /v1/graphql says 200); a successful one is 200 with data.
    """
    bad = notes.post("/v1alpha1/graphql", {"query": "{ nothing_here { id } }"},
                     notes.admin_headers())
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["code"] == "validation-failed"
    good = notes.post("/v1alpha1/graphql", {"query": "{ note(limit: 1) { id } }"},
                      notes.admin_headers())
    assert (good.status_code, good.json()) == (200, {"data": {"note": [{"id": 1}]}})


def test_run_sql_ddl_is_visible_in_the_schema_at_once(notes: EngineHandle) -> None:
    """Run sql ddl is visible in the schema at once.

    GIVEN a tracked table WHEN run_sql adds a column THEN the next GraphQL request can select
    it (the schema was rebuilt from a fresh introspection).
    """
    notes.run_sql("alter table note add column pinned boolean not null default false")
    try:
        body = notes.graphql("{ note(where: {id: {_eq: 1}}) { pinned } }")
        assert body == {"data": {"note": [{"pinned": False}]}}
    finally:
        notes.run_sql("alter table note drop column pinned")


def test_reload_metadata_picks_up_changes_made_outside_the_engine(notes: EngineHandle) -> None:
    """Reload metadata picks up changes made outside the engine.

    GIVEN a column added without telling the engine (check_metadata_consistency false) WHEN
    reload_metadata is called THEN the column becomes queryable.
    """
    notes.post("/v2/query", {"type": "run_sql", "args": {
        "sql": "alter table note add column tag text", "check_metadata_consistency": False}},
        notes.admin_headers()).raise_for_status()
    try:
        before = notes.graphql("{ note { tag } }")
        assert before["errors"][0]["extensions"]["code"] == "validation-failed"
        reloaded = notes.metadata({"type": "reload_metadata", "args": {}})
        assert reloaded.json()["message"] == "success"
        assert "data" in notes.graphql("{ note { tag } }")
    finally:
        notes.run_sql("alter table note drop column tag")
