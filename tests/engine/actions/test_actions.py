from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack.ports import free_port
from devstack.services.engine import EngineHandle
from devstack.services.http import HttpService, uvicorn_argv
from devstack.settings import StackSettings

TYPES = {
    "enums": [{"name": "Mood", "values": [{"value": "HAPPY"}, {"value": "GRUMPY"}]}],
    "input_objects": [{"name": "Who", "fields": [{"name": "name", "type": "String!"}]}],
    "objects": [{"name": "Greeting", "fields": [
        {"name": "greeting", "type": "String!"}, {"name": "mood", "type": "Mood"},
        {"name": "role", "type": "String"}, {"name": "user_id", "type": "String"},
        {"name": "client_header", "type": "String"}, {"name": "query_seen", "type": "Boolean"},
        {"name": "tags", "type": "[String!]"}, {"name": "forwarded_for", "type": "String"},
    ]}],
}


def _action(name: str, *, kind: str = "synchronous", timeout: int | None = None,
            args: bool = True) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "handler": "{{ACTION_TEST_BASE}}/" + name, "output_type": "Greeting",
        "arguments": [{"name": "who", "type": "Who!"}, {"name": "mood", "type": "Mood"}]
        if args else [],
        "type": "mutation", "kind": kind, "forward_client_headers": True,
        "headers": [{"name": "X-Test-Secret", "value_from_env": "ACTION_TEST_SECRET"}],
    }
    if timeout is not None:
        definition["timeout"] = timeout
    return {"name": name, "definition": definition, "comment": f"test action {name}"}


@pytest.fixture(scope="module")
def handler(state_root: Path) -> Iterator[HttpService]:
    port = free_port()
    settings = StackSettings.load()
    settings = dataclasses.replace(settings, state_dir=state_root / "action-handler")
    service = HttpService(settings, "action-handler", port,
                          uvicorn_argv("tests.engine.actions.handler_app:app", port),
                          description="test action handler")
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="module")
def action_engine(create_database: Callable[[str], str],
                  start_engine: Callable[..., EngineHandle],
                  handler: HttpService) -> EngineHandle:
    # PostgreSQL first, so it is stopped after the engines (a server with clients still
    # connected waits for them on shutdown).
    engine = start_engine(create_database("actions"), extra_env={
        "ACTION_TEST_BASE": handler.url(), "ACTION_TEST_SECRET": "sekret"})
    # A table whose columns use the scalars the async result type uses too (uuid, timestamptz).
    engine.run_sql("CREATE TABLE notes (id uuid PRIMARY KEY, at timestamptz NOT NULL)")
    ops: list[dict[str, Any]] = [{"type": "pg_track_table", "args": {"table": "notes"}},
                                 {"type": "set_custom_types", "args": TYPES}]
    for name in ("echo", "fail4xx", "fail4xxBare", "fail500", "badOutput"):
        ops.append({"type": "create_action", "args": _action(name)})
    ops.append({"type": "create_action", "args": _action("slow", timeout=1)})
    ops.append({"type": "create_action", "args": _action("asyncEcho", kind="asynchronous")})
    ops.append({"type": "create_action_permission", "args": {"action": "echo", "role": "user"}})
    ops.append({"type": "create_action_permission",
                "args": {"action": "asyncEcho", "role": "user"}})
    response = engine.metadata({"type": "bulk", "args": ops})
    assert response.status_code == 200, response.text
    return engine


ECHO = """mutation($mood: Mood) { echo(who: {name: "ada"}, mood: $mood) {
  greeting m: mood role user_id client_header query_seen __typename ... on Greeting { tags } } }"""


def _as_user(user_id: str = "u-1") -> dict[str, str]:
    return {"X-Hasura-Role": "user", "X-Hasura-User-Id": user_id, "X-Client-Header": "hi"}


def test_sync_action_calls_the_handler_and_shapes_the_output(action_engine: EngineHandle) -> None:
    """Sync action calls the handler and shapes the output.

    Sync action calls the handler and shapes the output. GIVEN an action with an input object, an
    enum and configured/forwarded headers WHEN a user runs it THEN the handler gets input, session
    and headers, and the answer is shaped to the selection (alias, __typename, fragment).
    """
    answer = action_engine.graphql(ECHO, {"mood": "GRUMPY"}, headers=_as_user())
    assert answer == {"data": {"echo": {
        "greeting": "hello ada", "m": "GRUMPY", "role": "user", "user_id": "u-1",
        "client_header": "hi", "query_seen": True, "__typename": "Greeting",
        "tags": ["a", "b"]}}}


def test_action_is_hidden_from_roles_without_permission(action_engine: EngineHandle) -> None:
    """GIVEN echo allowed for ``user`` only WHEN anonymous asks THEN the field does not exist."""
    answer = action_engine.graphql(ECHO, {}, admin=False)
    assert answer["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "data" not in answer


def test_handler_4xx_becomes_a_graphql_error_with_its_extensions(
    action_engine: EngineHandle,
) -> None:
    """Handler 4xx becomes a graphql error with its extensions.

    Handler 4xx becomes a graphql error with its extensions. GIVEN a handler answering 400 {message,
    extensions} WHEN run THEN the GraphQL error carries that message and those extensions as they
    are.
    """
    answer = action_engine.graphql('mutation { fail4xx(who: {name: "x"}) { greeting } }')
    assert answer == {"errors": [{"message": "nope",
                                  "extensions": {"code": "custom-code", "detail": 7}}]}


def test_handler_4xx_without_extensions_is_unexpected(action_engine: EngineHandle) -> None:
    """GIVEN a 4xx with only a message WHEN run THEN code ``unexpected`` at path ``$``."""
    answer = action_engine.graphql('mutation { fail4xxBare(who: {name: "x"}) { greeting } }')
    assert answer["errors"] == [{"message": "plain",
                                 "extensions": {"path": "$", "code": "unexpected"}}]


def test_handler_5xx_is_an_internal_error(action_engine: EngineHandle) -> None:
    """Handler 5xx is an internal error.

    Handler 5xx is an internal error. GIVEN a handler answering 500 WHEN run THEN ``internal
    error``, code ``unexpected``, and the handler's own message is not leaked.
    """
    answer = action_engine.graphql('mutation { fail500(who: {name: "x"}) { greeting } }')
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "unexpected"
    assert "boom" not in str(answer)


def test_output_not_matching_the_type_is_refused(action_engine: EngineHandle) -> None:
    """Output not matching the type is refused.

    Output not matching the type is refused. GIVEN a handler answering a field the type lacks WHEN
    run THEN ``unexpected`` naming the field.
    """
    answer = action_engine.graphql('mutation { badOutput(who: {name: "x"}) { greeting } }')
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "unexpected"
    assert "surprise" in error["message"]


def test_action_timeout_is_enforced(action_engine: EngineHandle) -> None:
    """Action timeout is enforced.

    Action timeout is enforced. GIVEN a 1 s timeout and a handler taking 8 s WHEN run THEN an
    ``unexpected`` error long before the handler would answer (the bound leaves room for load).
    """
    started = time.monotonic()
    answer = action_engine.graphql('mutation { slow(who: {name: "x"}) { greeting } }')
    assert answer["errors"][0]["extensions"]["code"] == "unexpected"
    assert time.monotonic() - started < 5.0


def test_async_action_returns_an_id_then_the_result(action_engine: EngineHandle) -> None:
    """Async action returns an id then the result.

    Async action returns an id then the result. GIVEN an asynchronous action WHEN a user runs it
    THEN an id comes back at once and the query by id later returns the handler's output; another
    user sees nothing.
    """
    answer = action_engine.graphql('mutation { asyncEcho(who: {name: "bo"}) }',
                                   headers=_as_user("u-7"))
    action_id = answer["data"]["asyncEcho"]
    query = "query($id: uuid!) { asyncEcho(id: $id) { id errors output { greeting user_id } } }"
    result: Any = None
    for _ in range(50):
        result = action_engine.graphql(query, {"id": action_id}, headers=_as_user("u-7"))
        if result["data"]["asyncEcho"]["output"] is not None:
            break
        time.sleep(0.1)
    assert result["data"]["asyncEcho"] == {
        "id": action_id, "errors": None, "output": {"greeting": "hello bo", "user_id": "u-7"}}
    other = action_engine.graphql(query, {"id": action_id}, headers=_as_user("u-8"))
    assert other["data"]["asyncEcho"] is None


def test_action_metadata_operations_validate_and_drop(action_engine: EngineHandle) -> None:
    """Action metadata operations validate and drop.

    Action metadata operations validate and drop. GIVEN an existing action WHEN created again, then
    dropped THEN ``already-exists``, then the field is gone from the schema.
    """
    again = action_engine.metadata({"type": "create_action", "args": _action("fail500")})
    assert again.status_code == 400
    assert again.json()["code"] == "already-exists"
    dropped = action_engine.metadata({"type": "drop_action", "args": {"name": "fail500"}})
    assert dropped.status_code == 200, dropped.text
    answer = action_engine.graphql('mutation { fail500(who: {name: "x"}) { greeting } }')
    assert answer["errors"][0]["extensions"]["code"] == "validation-failed"


def test_async_action_types_share_scalars_with_tables(action_engine: EngineHandle) -> None:
    """Async action types share scalars with tables.

    GIVEN a tracked table with uuid and timestamptz columns and an asynchronous action (whose result
    type uses both) WHEN the admin schema is used THEN the table and the action's result query both
    answer (one type per scalar name).
    """
    answer = action_engine.graphql("""query($id: uuid!) { notes { id at }
        asyncEcho(id: $id) { id created_at } }""",
                                   {"id": "00000000-0000-0000-0000-000000000000"})
    assert answer == {"data": {"notes": [], "asyncEcho": None}}


def test_action_forwards_a_non_ascii_client_header_unchanged(action_engine: EngineHandle) -> None:
    """Action forwards a non ascii client header unchanged.

    GIVEN a client header whose value is UTF-8 text (``café``) WHEN a user runs an action
    that forwards client headers THEN the handler gets the very bytes sent (no
    UnicodeEncodeError, no ``unexpected``).
    """
    headers = [(k.encode(), v.encode()) for k, v in action_engine.admin_headers().items()]
    headers += [(b"X-Hasura-Role", b"user"), (b"X-Hasura-User-Id", b"u-1"),
                (b"X-Client-Header", "café".encode()), (b"Content-Type", b"application/json")]
    response = action_engine.http.post("/v1/graphql", headers=headers, content=json.dumps(
        {"query": ECHO, "variables": {"mood": "HAPPY"}}).encode())
    answer = response.json()
    assert "errors" not in answer, answer
    seen = answer["data"]["echo"]["client_header"]
    assert seen.encode("latin-1").decode("utf-8") == "café"


def test_action_gets_the_client_address_the_engine_vouches_for(
        action_engine: EngineHandle) -> None:
    """Action gets the client address the engine vouches for.

    GIVEN an engine with no trusted proxy WHEN a client sends a forged X-Forwarded-For to an
    action that forwards client headers THEN the handler gets the client's socket address
    instead, so a rate limit keyed on it cannot be escaped by rotating the header.
    """
    query = 'mutation { echo(who: {name: "x"}) { forwarded_for } }'
    answer = action_engine.graphql(query, headers={**_as_user(),
                                                   "X-Forwarded-For": "6.6.6.6, 7.7.7.7"})
    assert answer == {"data": {"echo": {"forwarded_for": "127.0.0.1"}}}
