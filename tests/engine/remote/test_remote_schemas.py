"""Remote schemas, end to end: a real remote server, a real engine (see conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from devstack.services.engine import EngineHandle
from devstack.services.http import HttpService
from tests.engine.remote.conftest import ok, remote_calls


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
    exported = ok(remote_engine.metadata({"type": "export_metadata", "args": {}}))
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
        unchanged = ok(remote_engine.metadata({"type": "export_metadata", "args": {}}))
        assert "dead" not in [r["name"] for r in unchanged["remote_schemas"]]
        ok(remote_engine.metadata({"type": "replace_metadata", "version": 2, "args": {
            "allow_inconsistent_metadata": True, "metadata": exported}}))
        found = ok(remote_engine.metadata({"type": "get_inconsistent_metadata", "args": {}}))
        assert [o["name"] for o in found["inconsistent_objects"]] == ["remote_schema dead"]
        answer = remote_engine.graphql("{ members(limit: 1) { id } ppl { hello } }")
        assert answer == {"data": {"members": [{"id": 1}], "ppl": {"hello": "hello world"}}}
    finally:
        exported["remote_schemas"].remove(dead)
        ok(remote_engine.metadata({"type": "replace_metadata", "version": 2, "args": {
            "metadata": exported}}))


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
    ok(first.metadata({"type": "add_remote_schema", "args": {"name": "far", "definition": {
        "url_from_env": "REMOTE_TEST_URL", "timeout_seconds": 5}}}))
    deadline = time.monotonic() + 60
    while second.graphql("{ hello }").get("data") != {"hello": "hello world"}:
        assert time.monotonic() < deadline, "the second engine never served the remote schema"
        time.sleep(0.05)

    before = remote_calls(remote)
    ok(first.metadata({"type": "reload_remote_schema", "args": {"name": "far"}}))
    while remote_calls(remote) < before + 2:
        assert time.monotonic() < deadline + 60, "the second engine did not introspect again"
        time.sleep(0.05)
