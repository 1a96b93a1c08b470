"""A head remembers the last body it prepared: the same bytes again skip parsing and lookups.

What is remembered is the operation a body prepared to, never an answer: every request
still runs its statements, and it is kept per head, so another session never reaches it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from devstack.services.engine import EngineHandle
from engine.auth.resolver import SessionResolver
from engine.server.graphql_route import MAX_REMEMBERED_BODY, GraphQLEndpoint
from engine.server.state import ServerState
from engine.settings import EngineSettings, Secret

SECRET = "s3cret-admin"


class _Engine:
    """Prepares a body to its payload and answers with the session's user id, counting both."""

    def __init__(self, limited: bool = False) -> None:
        self.prepared: list[Any] = []
        self.answered = 0
        self.limits = SimpleNamespace(for_role=lambda role: SimpleNamespace(
            unlimited=not limited, rate=None, batch=None))

    def prepare_http(self, payload: Any, session: Any, headers: Any, relay: bool) -> Any:
        if "bad" in payload["query"]:
            raise ValueError("does not prepare")
        prepared = SimpleNamespace(payload=payload, session=session)
        self.prepared.append(prepared)
        return prepared

    async def answer(self, prepared: Any) -> bytes:
        self.answered += 1
        return orjson.dumps({"data": {"user": prepared.session.get("x-hasura-user-id"),
                                      "query": prepared.payload["query"]}})


def _endpoint(engine: _Engine) -> GraphQLEndpoint:
    state = ServerState(EngineSettings(Secret("postgresql://unused")),
                        SessionResolver(admin_secret=SECRET))
    state.graphql = SimpleNamespace(current=engine)  # type: ignore[assignment]
    return GraphQLEndpoint(state)


def _head(endpoint: GraphQLEndpoint, user: str) -> Any:
    return endpoint.head([(b"content-type", b"application/json"),
                          (b"x-hasura-admin-secret", SECRET.encode()),
                          (b"x-hasura-role", b"user"), (b"x-hasura-user-id", user.encode())],
                         "127.0.0.1")


def _body(query: str) -> bytes:
    return orjson.dumps({"query": query})


async def test_the_same_body_from_the_same_headers_prepares_once() -> None:
    """GIVEN one head sending a body twice, then another body, then the first again.

    WHEN each is answered
    THEN the repeated body is prepared once and answered every time; another body is
    prepared (and becomes the one remembered); the first prepares again after it.
    """
    engine = _Engine()
    endpoint = _endpoint(engine)
    head = _head(endpoint, "1")
    first, second = _body("{ a }"), _body("{ b }")
    answers = [await endpoint.answer(head, body) for body in (first, first, second, first)]
    assert [orjson.loads(out)["data"]["query"] for _, out, _ in answers] == \
        ["{ a }", "{ a }", "{ b }", "{ a }"]
    assert [p.payload["query"] for p in engine.prepared] == ["{ a }", "{ b }", "{ a }"]
    assert engine.answered == 4


async def test_another_users_head_never_reaches_a_remembered_body() -> None:
    """GIVEN user 1's head that remembered a body.

    WHEN user 2 sends the same bytes, then user 1 again
    THEN user 2's body is prepared with user 2's session and answered for user 2; user 1's
    is still answered for user 1.
    """
    engine = _Engine()
    endpoint = _endpoint(engine)
    body = _body("{ me }")
    one, two = _head(endpoint, "1"), _head(endpoint, "2")
    users = []
    for head in (one, one, two, one, two):
        _, out, _ = await endpoint.answer(head, body)
        users.append(orjson.loads(out)["data"]["user"])
    assert users == ["1", "1", "2", "1", "2"]
    assert [p.session.get("x-hasura-user-id") for p in engine.prepared] == ["1", "2"]


async def test_a_new_engine_a_limited_role_a_failure_or_a_large_body_is_not_remembered() -> None:
    """GIVEN a head that remembered a body.

    WHEN the engine is replaced (metadata changed), a role with api_limits sends a body, a
    body fails to prepare, or a body over the limit is sent, each twice
    THEN each of those is prepared on every request.
    """
    engine = _Engine()
    endpoint = _endpoint(engine)
    head = _head(endpoint, "1")
    body = _body("{ a }")
    await endpoint.answer(head, body)
    replaced = _Engine()
    endpoint.state.graphql = SimpleNamespace(current=replaced)  # type: ignore[assignment]
    for _ in range(2):
        await endpoint.answer(head, body)
    assert len(replaced.prepared) == 1  # prepared once for the new engine, then remembered

    limited = _Engine(limited=True)
    endpoint.state.graphql = SimpleNamespace(current=limited)  # type: ignore[assignment]
    other = _head(endpoint, "3")
    for _ in range(2):
        await endpoint.answer(other, body)
    assert len(limited.prepared) == 2

    fresh = _Engine()
    endpoint.state.graphql = SimpleNamespace(current=fresh)  # type: ignore[assignment]
    bad = _body("{ bad }")
    for _ in range(2):
        _, out, _ = await endpoint.answer(head, bad)
        assert b"errors" in out
    large = _body("{ a " + " " * MAX_REMEMBERED_BODY + "}")
    for _ in range(2):
        await endpoint.answer(head, large)
    assert [p.payload["query"][:4] for p in fresh.prepared] == ["{ a ", "{ a "]


@pytest.fixture(scope="module")
def notes(start_engine: Callable[..., EngineHandle],
          create_database: Callable[[str], str]) -> EngineHandle:
    """An engine with a ``note`` table readable by role user for its own rows."""
    handle = start_engine(create_database("remembered"))
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


def test_repeated_bodies_over_one_connection_see_each_user_data_and_metadata_changes(
        notes: EngineHandle) -> None:
    """GIVEN one keep-alive connection sending the same body as two users, in turns.

    WHEN rows change, then the role's permission changes, between identical requests
    THEN every answer holds the sender's own rows as they are at that moment, and the
    permission change applies to the next identical request.
    """
    body = {"query": "{ note(order_by: {id: asc}) { body } }"}

    def as_user(user: str) -> Any:
        headers = {**notes.admin_headers(), "X-Hasura-Role": "user", "X-Hasura-User-Id": user}
        response = notes.post("/v1/graphql", body, headers)  # the client keeps its connection
        assert response.status_code == 200
        return response.json()

    for _ in range(2):
        assert as_user("u1") == {"data": {"note": [{"body": "first"}]}}
        assert as_user("u2") == {"data": {"note": [{"body": "second"}]}}
    notes.run_sql("update note set body = 'changed' where owner = 'u1'")
    assert as_user("u1") == {"data": {"note": [{"body": "changed"}]}}
    response = notes.metadata({"type": "bulk", "args": [
        {"type": "pg_drop_select_permission", "args": {"table": "note", "role": "user"}},
        {"type": "pg_create_select_permission", "args": {
            "table": "note", "role": "user", "permission": {
                "columns": ["id", "body"], "filter": {}}}},
    ]})
    assert response.status_code == 200, response.text
    assert as_user("u1") == {"data": {"note": [{"body": "changed"},
                                                   {"body": "second"}]}}
    assert as_user("u2") == {"data": {"note": [{"body": "changed"},
                                                   {"body": "second"}]}}
