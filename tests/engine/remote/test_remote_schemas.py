"""Remote schemas and remote relationships, end to end: a real remote server, a real engine."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.ports import free_port
from devstack.services.engine import EngineHandle
from devstack.services.http import HttpService, uvicorn_argv
from devstack.settings import StackSettings

USER_SDL = """
type Person { id: String! name: String! }
type Query {
  whoami(user_id: String @preset(value: "x-hasura-user-id")): String!
  person(id: String!): Person!
}
"""


@pytest.fixture(scope="module")
def remote(state_root: Path) -> Iterator[HttpService]:
    port = free_port()
    settings = dataclasses.replace(StackSettings.load(), state_dir=state_root / "remote-schema")
    service = HttpService(settings, "remote-schema", port,
                          uvicorn_argv("tests.engine.remote.remote_app:app", port),
                          description="test remote schema")
    service.start()
    yield service
    service.stop()


def _remote_calls(remote: HttpService) -> int:
    return int(httpx.get(remote.url() + "/stats").json()["requests"])


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def remote_engine(create_database: Callable[[str], str],
                  start_engine: Callable[..., EngineHandle],
                  remote: HttpService) -> EngineHandle:
    engine = start_engine(create_database("remote_schemas"), extra_env={
        "REMOTE_TEST_URL": remote.url() + "/graphql",
        "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS": "true",
        # One pooled connection: a request that held it during a remote call would block
        # every other one (see the gate test).
        "HASURA_GRAPHQL_PG_CONNECTIONS": "1",
        # Not development mode: only admin sees internal error detail (Hasura's default).
        "HASURA_GRAPHQL_DEV_MODE": "false"})
    engine.run_sql(
        "CREATE TABLE members (id int PRIMARY KEY, user_id text NOT NULL, ext_id text);"
        "INSERT INTO members SELECT i, 'u' || (i % 2), CASE WHEN i = 3 THEN NULL "
        "ELSE 'e' || i END FROM generate_series(1, 100) i;"
        "CREATE TABLE member_notes (id serial PRIMARY KEY, body text NOT NULL, "
        "member_id int REFERENCES members (id) ON DELETE CASCADE)")
    _ok(engine.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "members"}},
        {"type": "pg_track_table", "args": {"table": "member_notes"}},
        {"type": "pg_create_object_relationship", "args": {
            "table": "member_notes", "name": "member",
            "using": {"foreign_key_constraint_on": "member_id"}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "user", "permission": {
                "columns": ["id", "ext_id"], "filter": {"user_id": {"_eq": "X-Hasura-User-Id"}}}}},
        {"type": "add_remote_schema", "args": {"name": "people", "definition": {
            "url_from_env": "REMOTE_TEST_URL", "timeout_seconds": 1,
            "customization": {"root_fields_namespace": "ppl",
                              "type_names": {"prefix": "R_"},
                              "field_names": [{"parent_type": "Person",
                                               "mapping": {"name": "full_name"}}]}}}},
        {"type": "add_remote_schema_permissions", "args": {
            "remote_schema": "people", "role": "user", "definition": {"schema": USER_SDL}}},
        # viewer: may read members, no remote schema permission. phantom: may not select
        # the join column, but has the remote schema permission.
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "viewer", "permission": {
                "columns": ["id", "ext_id"], "filter": {}}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "phantom", "permission": {
                "columns": ["id"], "filter": {"id": {"_lte": 2}}}}},
        {"type": "add_remote_schema_permissions", "args": {
            "remote_schema": "people", "role": "phantom", "definition": {"schema": USER_SDL}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "auditor", "permission": {
                "columns": ["id"], "filter": {"id": {"_lte": 2}}}}},
        {"type": "add_remote_schema_permissions", "args": {
            "remote_schema": "people", "role": "auditor", "definition": {"schema":
                "type Person { id: String! } type Query { fail_for(id: String!): Person }"}}},
        {"type": "add_remote_schema", "args": {"name": "gate", "definition": {
            "url_from_env": "REMOTE_TEST_URL", "timeout_seconds": 120,
            "customization": {"root_fields_namespace": "gate",
                              "type_names": {"prefix": "G_"}}}}},
        {"type": "create_remote_relationship", "args": {
            "table": "members", "name": "held", "definition": {"to_remote_schema": {
                "remote_schema": "gate", "lhs_fields": ["ext_id"],
                "remote_field": {"hold": {"arguments": {"id": "$ext_id"}}}}}}},
        {"type": "create_remote_relationship", "args": {
            "table": "members", "name": "broken", "definition": {"to_remote_schema": {
                "remote_schema": "people", "lhs_fields": ["ext_id"],
                "remote_field": {"fail_for": {"arguments": {"id": "$ext_id"}}}}}}},
        {"type": "create_remote_relationship", "args": {
            "table": "members", "name": "profile", "definition": {"to_remote_schema": {
                "remote_schema": "people", "lhs_fields": ["ext_id"],
                "remote_field": {"person": {"arguments": {"id": "$ext_id"}}}}}}},
    ]}))
    return engine


def test_remote_schema_introspection_merges_customized_types(remote_engine: EngineHandle) -> None:
    """Remote schema introspection merges customized types.

    GIVEN a remote schema with a namespace, a type prefix and a field rename
    WHEN the admin introspects THEN the remote's fields sit under the namespace, typed with
    the prefixed names, and the renamed field shows its new name.
    """
    answer = remote_engine.graphql("""{ __schema { queryType { fields { name type { name } } } }
      person: __type(name: "R_Person") { fields { name } } }""")
    fields = answer["data"]["__schema"]["queryType"]["fields"]
    roots = {f["name"]: f["type"]["name"] for f in fields}
    assert roots["ppl"] == "R_Query"
    assert "members" in roots
    assert {f["name"] for f in answer["data"]["person"]["fields"]} == {"id", "full_name", "mood"}


def test_remote_schema_query_maps_names_both_ways(remote_engine: EngineHandle) -> None:
    """Remote schema query maps names both ways.

    GIVEN the customized remote WHEN a query uses customized names, fragments and variables
    THEN the remote answers with its values and __typename comes back customized.
    """
    answer = remote_engine.graphql(
        """query($f: R_Filter) { ppl { hello(name: "ada") __typename
             people(filter: $f) { ...P } } }
           fragment P on R_Person { id full_name mood kind: __typename }""",
        {"f": {"prefix": "x"}})
    assert answer == {"data": {"ppl": {"hello": "hello ada", "__typename": "R_Query", "people": [
        {"id": "x0", "full_name": "p0", "mood": "GRUMPY", "kind": "R_Person"},
        {"id": "x1", "full_name": "p1", "mood": "GRUMPY", "kind": "R_Person"}]}}}


def test_remote_schema_error_is_passed_on_in_hasura_shape(remote_engine: EngineHandle) -> None:
    """Remote schema error is passed on in hasura shape.

    GIVEN a remote field that fails WHEN queried THEN the remote's error comes back.
    """
    answer = remote_engine.graphql("{ ppl { fail again: fail } }")
    assert "data" not in answer
    assert [(e["message"], e["path"]) for e in answer["errors"]] == [
        ("the remote refused", ["fail"]), ("the remote refused", ["again"])]


def test_remote_join_errors_come_back_all_in_hasura_shape(remote_engine: EngineHandle) -> None:
    """Remote join errors come back all in Hasura shape.

    GIVEN a relationship whose remote field fails for every row WHEN admin selects it for
    two rows THEN the answer is Hasura's "Errors from remote server" (code unexpected, path $)
    with every remote error under extensions.internal; WHEN another role selects it THEN
    the same error without the internal detail (outside development mode).
    """
    query = "{ members(where: {id: {_lte: 2}}, order_by: {id: asc}) { id broken { id } } }"
    admin = remote_engine.graphql(query)
    assert "data" not in admin
    [error] = admin["errors"]
    assert error["message"] == "Errors from remote server"
    assert {k: v for k, v in error["extensions"].items() if k != "internal"} == {
        "path": "$", "code": "unexpected"}
    remote_errors = error["extensions"]["internal"]["errors"]
    assert [(e["message"], e["path"]) for e in remote_errors] == [
        ("no person e1", ["f0"]), ("no person e2", ["f1"])]
    auditor = remote_engine.graphql(query, headers={"X-Hasura-Role": "auditor"})
    assert auditor == {"errors": [{"message": "Errors from remote server",
                                   "extensions": {"path": "$", "code": "unexpected"}}]}


def test_remote_schema_timeout_is_a_clear_error(remote_engine: EngineHandle) -> None:
    """Remote schema timeout is a clear error.

    GIVEN timeout_seconds 1 WHEN the remote takes 3 s THEN a remote-schema-error says so.
    """
    response = remote_engine.post("/v1/graphql", {"query": "{ ppl { slow } }"},
                                  remote_engine.admin_headers())
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "remote-schema-error"
    assert "did not answer within 1 seconds" in error["message"]


def test_remote_schema_permissions_preset_and_hide(remote_engine: EngineHandle) -> None:
    """Remote schema permissions preset and hide.

    GIVEN the user role's SDL presets whoami's user_id from the session
    WHEN a user asks THEN the remote gets the session's id; hello is not in its schema.
    """
    user = {"X-Hasura-Role": "user", "X-Hasura-User-Id": "u1"}
    answer = remote_engine.graphql("{ ppl { whoami } }", headers=user)
    assert answer == {"data": {"ppl": {"whoami": "u1/user"}}}
    refused = remote_engine.graphql("{ ppl { hello } }", headers=user)
    assert refused["errors"][0]["extensions"]["code"] == "validation-failed"
    anonymous = remote_engine.graphql("{ ppl { hello } }", headers={"X-Hasura-Role": "nobody"})
    assert "errors" in anonymous


def test_remote_relationship_joins_in_one_call(remote_engine: EngineHandle,
                                                remote: HttpService) -> None:
    """Remote relationship joins in one call.

    GIVEN 100 rows with a remote relationship WHEN all are selected with the join
    THEN the remote is called once, each row has its own answer, in order, and a row whose
    join column is null has null.
    """
    before = _remote_calls(remote)
    answer = remote_engine.graphql(
        "{ members(order_by: {id: asc}) { id profile { id full_name } } }")
    assert _remote_calls(remote) - before == 1
    rows = answer["data"]["members"]
    assert len(rows) == 100
    assert rows[0] == {"id": 1, "profile": {"id": "e1", "full_name": "name-e1"}}
    assert rows[2] == {"id": 3, "profile": None}
    assert all(r["profile"]["id"] == f"e{r['id']}" for r in rows if r["id"] != 3)


def test_remote_relationship_follows_table_permissions(remote_engine: EngineHandle) -> None:
    """Remote relationship follows table permissions.

    GIVEN the user may only see its own members WHEN it selects the join THEN only its rows
    are joined.
    """
    answer = remote_engine.graphql("{ members { id profile { id } } }",
                                   headers={"X-Hasura-Role": "user", "X-Hasura-User-Id": "u0"})
    rows = answer["data"]["members"]
    assert len(rows) == 50
    assert all(r["id"] % 2 == 0 and r["profile"]["id"] == f"e{r['id']}" for r in rows)


def test_unreachable_remote_is_inconsistent_and_the_rest_still_serves(
        remote_engine: EngineHandle) -> None:
    """Unreachable remote is inconsistent and the rest still serves.

    GIVEN a remote schema that cannot be reached WHEN added THEN it is refused clearly;
    WHEN a replaced metadata holds one THEN it is refused as Hasura refuses inconsistent
    metadata, and nothing changes; WITH allow_inconsistent_metadata THEN it is kept, reported
    inconsistent, and tables still answer.
    """
    dead = {"name": "dead", "definition": {"url": "http://127.0.0.1:9/graphql",
                                           "timeout_seconds": 1}}
    refused = remote_engine.metadata({"type": "add_remote_schema", "args": dead})
    assert refused.status_code == 400
    assert refused.json()["code"] == "remote-schema-error"
    exported = _ok(remote_engine.metadata({"type": "export_metadata", "args": {}}))
    try:
        exported["remote_schemas"].append(dead)
        strict = remote_engine.metadata({"type": "replace_metadata", "version": 2, "args": {
            "metadata": exported}})
        assert strict.status_code == 400
        assert strict.json() == {
            "path": "$.args", "error": "cannot continue due to inconsistent metadata",
            "code": "unexpected", "internal": [{
                "definition": dead, "name": "remote_schema dead", "type": "remote_schema",
                "reason": "Inconsistent object: HTTP exception occurred while sending the "
                          "request to http://127.0.0.1:9/graphql"}]}
        unchanged = _ok(remote_engine.metadata({"type": "export_metadata", "args": {}}))
        assert "dead" not in [r["name"] for r in unchanged["remote_schemas"]]
        _ok(remote_engine.metadata({"type": "replace_metadata", "version": 2, "args": {
            "allow_inconsistent_metadata": True, "metadata": exported}}))
        found = _ok(remote_engine.metadata({"type": "get_inconsistent_metadata", "args": {}}))
        assert [o["name"] for o in found["inconsistent_objects"]] == ["remote_schema dead"]
        answer = remote_engine.graphql("{ members(limit: 1) { id } ppl { hello } }")
        assert answer == {"data": {"members": [{"id": 1}], "ppl": {"hello": "hello world"}}}
    finally:
        exported["remote_schemas"].remove(dead)
        _ok(remote_engine.metadata({"type": "replace_metadata", "version": 2, "args": {
            "metadata": exported}}))


def test_remote_relationship_needs_the_remote_schema_permission(
        remote_engine: EngineHandle) -> None:
    """Remote relationship needs the remote schema permission.

    GIVEN remote schema permissions enabled WHEN a role that may read the table but has no
    permission on the remote selects the relationship THEN it is refused (the field is not
    in its schema) and the remote's root fields are not either; WHEN a role with the
    permission but without select on the join column selects it THEN it is joined (the
    join column is read for the join, never answered).
    """
    viewer = {"X-Hasura-Role": "viewer"}
    refused = remote_engine.graphql("{ members(limit: 1) { id profile { id } } }",
                                    headers=viewer)
    assert "data" not in refused
    assert refused["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "profile" in refused["errors"][0]["message"]
    assert "errors" in remote_engine.graphql("{ ppl { hello } }", headers=viewer)
    assert remote_engine.graphql("{ members(limit: 1) { id } }", headers=viewer) == {
        "data": {"members": [{"id": 1}]}}
    phantom = remote_engine.graphql("{ members(order_by: {id: asc}) { id profile { id } } }",
                                    headers={"X-Hasura-Role": "phantom"})
    assert phantom == {"data": {"members": [{"id": 1, "profile": {"id": "e1"}},
                                            {"id": 2, "profile": {"id": "e2"}}]}}
    hidden = remote_engine.graphql("{ members { ext_id } }", headers={"X-Hasura-Role": "phantom"})
    assert hidden["errors"][0]["extensions"]["code"] == "validation-failed"


def _wait_for(check: Callable[[], bool], deadline_s: float = 60.0) -> None:
    end = time.monotonic() + deadline_s
    while not check():
        assert time.monotonic() < end, "condition not reached before the deadline"
        time.sleep(0.05)


def test_remote_join_waits_without_holding_a_database_connection(
        remote_engine: EngineHandle, remote: HttpService) -> None:
    """Remote join waits without holding a database connection.

    GIVEN an engine with ONE pooled connection and a remote field that answers only when
    released WHEN a query joining it is waiting on the remote THEN another query that reads
    the database is answered meanwhile (the join's statement gave its connection back),
    and once released the join answers its rows.
    """
    query = "{ members(where: {id: {_lte: 2}}, order_by: {id: asc}) { id held { id } } }"
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.post, remote_engine.base_url + "/v1/graphql",
                              json={"query": query}, headers=remote_engine.admin_headers(),
                              timeout=150)
        try:
            # Both rows' fields (f0, f1) of the one remote call are waiting at the gate.
            _wait_for(lambda: pending.done()
                      or httpx.get(remote.url() + "/holding").json()["waiting"] == 2)
            assert not pending.done(), pending.result().text
            meanwhile = remote_engine.graphql("{ members(limit: 1) { id } }")
            assert meanwhile == {"data": {"members": [{"id": 1}]}}
            assert not pending.done()
        finally:
            httpx.post(remote.url() + "/release")
        answer = pending.result(timeout=150).json()
    assert answer == {"data": {"members": [{"id": 1, "held": {"id": "e1"}},
                                           {"id": 2, "held": {"id": "e2"}}]}}


def test_remote_relationship_in_mutation_returning(remote_engine: EngineHandle,
                                                   remote: HttpService) -> None:
    """Remote relationship in mutation returning.

    GIVEN the members relationship WHEN an insert, updates (by filter, by key, many), a
    nested insert (through another table's object relationship) and a delete ask for it in
    their returning rows THEN each row is joined (one remote call per mutation field, made
    after the transaction), in order.
    """
    before = _remote_calls(remote)
    inserted = remote_engine.graphql("""mutation { insert_members(objects: [
        {id: 1001, user_id: "u9", ext_id: "x1"}, {id: 1002, user_id: "u9", ext_id: "x2"}]) {
        returning { id profile { id } } } }""")
    assert inserted == {"data": {"insert_members": {"returning": [
        {"id": 1001, "profile": {"id": "x1"}}, {"id": 1002, "profile": {"id": "x2"}}]}}}
    updated = remote_engine.graphql("""mutation { update_members(
        where: {id: {_eq: 1001}}, _set: {ext_id: "x3"}) { returning { id profile { id } } }
        one: update_members_by_pk(pk_columns: {id: 1002}, _set: {ext_id: "x4"}) {
        id profile { id } } }""")
    assert updated == {"data": {
        "update_members": {"returning": [{"id": 1001, "profile": {"id": "x3"}}]},
        "one": {"id": 1002, "profile": {"id": "x4"}}}}
    many = remote_engine.graphql("""mutation { update_members_many(updates: [
        {where: {id: {_eq: 1001}}, _set: {ext_id: "x5"}},
        {where: {id: {_eq: 1002}}, _set: {ext_id: "x6"}}]) {
        affected_rows returning { id profile { id } } } }""")
    assert many == {"data": {"update_members_many": [
        {"affected_rows": 1, "returning": [{"id": 1001, "profile": {"id": "x5"}}]},
        {"affected_rows": 1, "returning": [{"id": 1002, "profile": {"id": "x6"}}]}]}}
    nested = remote_engine.graphql("""mutation { insert_member_notes(objects: [
        {body: "hi", member: {data: {id: 1003, user_id: "u9", ext_id: "x7"}}}]) {
        returning { body member { id profile { id } } } } }""")
    assert nested == {"data": {"insert_member_notes": {"returning": [
        {"body": "hi", "member": {"id": 1003, "profile": {"id": "x7"}}}]}}}
    deleted = remote_engine.graphql("""mutation { delete_members(
        where: {id: {_in: [1001, 1002, 1003]}}) { returning { id profile { id } } } }""")
    assert deleted == {"data": {"delete_members": {"returning": [
        {"id": 1001, "profile": {"id": "x5"}}, {"id": 1002, "profile": {"id": "x6"}},
        {"id": 1003, "profile": {"id": "x7"}}]}}}
    assert _remote_calls(remote) - before == 6


def test_remote_schema_reload_reaches_every_engine_on_the_database(
        remote: HttpService, start_engine: Callable[..., EngineHandle],
        create_database: Callable[[str], str]) -> None:
    """Remote schema reload reaches every engine on the database.

    GIVEN two engines on one database and a remote schema added through the first WHEN the
    second serves it and reload_remote_schema is called on the first THEN both introspect
    the remote again (the second is told which remote schema the change invalidated).
    """
    database = create_database("remote_sync")
    env = {"REMOTE_TEST_URL": remote.url() + "/graphql"}
    first = start_engine(database, extra_env=env)
    second = start_engine(database, extra_env=env)
    _ok(first.metadata({"type": "add_remote_schema", "args": {"name": "far", "definition": {
        "url_from_env": "REMOTE_TEST_URL", "timeout_seconds": 5}}}))
    deadline = time.monotonic() + 60
    while second.graphql("{ hello }").get("data") != {"hello": "hello world"}:
        assert time.monotonic() < deadline, "the second engine never served the remote schema"
        time.sleep(0.05)

    before = _remote_calls(remote)
    _ok(first.metadata({"type": "reload_remote_schema", "args": {"name": "far"}}))
    while _remote_calls(remote) < before + 2:
        assert time.monotonic() < deadline + 60, "the second engine did not introspect again"
        time.sleep(0.05)
