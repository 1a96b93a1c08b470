"""Remote relationships, end to end: a real remote server, a real engine (see conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from devstack.services.engine import EngineHandle
from devstack.services.http import HttpService
from tests.engine.remote.conftest import remote_calls


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


def test_remote_relationship_joins_in_one_call(remote_engine: EngineHandle,
                                                remote: HttpService) -> None:
    """Remote relationship joins in one call.

    GIVEN 100 rows with a remote relationship WHEN all are selected with the join
    THEN the remote is called once, each row has its own answer, in order, and a row whose
    join column is null has null.
    """
    before = remote_calls(remote)
    answer = remote_engine.graphql(
        "{ members(order_by: {id: asc}) { id profile { id full_name } } }")
    assert remote_calls(remote) - before == 1
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
    before = remote_calls(remote)
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
    assert remote_calls(remote) - before == 6
