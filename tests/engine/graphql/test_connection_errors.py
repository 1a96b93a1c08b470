"""A GraphQL request whose PostgreSQL connection breaks: Hasura's answer, then a fresh one.

Hasura answers a broken or refused connection with ``connection error`` (code
``postgres-error``, at ``$``; ``/v1alpha1/graphql`` with a 500), and ``max connections
reached on postgres`` (``postgres-max-connections-error``) when the server refuses one more.
A real engine on a real PostgreSQL whose backends are terminated with
``pg_terminate_backend``, between requests and while a statement runs. A query whose
connection turns out broken at once (its backend ended while idle) runs again on another
connection; a mutation does not.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import orjson
import psycopg
import pytest

from devstack.services.engine import EngineHandle
from engine.database_errors import connection_lost
from engine.graphql import GraphQLEngine
from engine.graphql.bodies import error_body
from tests.engine.graphql.conftest import gql

CONNECTION_ERROR = {"message": "connection error",
                    "extensions": {"path": "$", "code": "postgres-error"}}
ITEMS = {"query": "{ item(order_by: {id: asc}) { id } }"}
ITEMS_DATA = {"data": {"item": [{"id": 1}, {"id": 2}]}}


@pytest.fixture(scope="module")
def lost(start_engine: Callable[..., EngineHandle],
         create_database: Callable[[str], str]) -> tuple[EngineHandle, str]:
    """An engine over ``item`` and ``slow_item`` (a view that sleeps a minute per query)."""
    url = create_database("lostconn")
    handle = start_engine(url)
    handle.run_sql("""
        create table item (id int primary key);
        insert into item values (1), (2);
        create view slow_item as select i.* from item i, lateral (select pg_sleep(60)) s;
    """)
    response = handle.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "item"}},
        {"type": "pg_track_table", "args": {"table": "slow_item"}}]})
    assert response.status_code == 200, response.text
    return handle, url


def _terminate(url: str, where: str = "true") -> int:
    """Terminate the engine's backends on the database of ``url`` matching ``where``.

    Each is waited for until it exited (up to 5 s): ``pg_terminate_backend`` alone only
    signals it, and a backend still exiting under load could fail the request after next.
    """
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"  # noqa: S608 (fixed text)
            f" WHERE datname = current_database() AND pid <> pg_backend_pid() AND {where}"
        ).fetchall()
    return len(rows)


def _post(handle: EngineHandle, path: str, body: Any) -> httpx.Response:
    return handle.post(path, body, handle.admin_headers())


@pytest.mark.parametrize("path", ["/v1/graphql", "/v1alpha1/graphql"])
def test_connection_errors_a_backend_terminated_mid_statement_is_a_connection_error(
        lost: tuple[EngineHandle, str], path: str) -> None:
    """A statement whose backend is terminated answers Hasura's connection error.

    GIVEN a query sleeping in PostgreSQL WHEN its backend is terminated THEN ``connection
    error`` / ``postgres-error`` (200 on /v1/graphql, 500 on /v1alpha1/graphql, as Hasura),
    and the next request is answered on a fresh connection.
    """
    handle, url = lost
    answers: list[httpx.Response] = []
    request = threading.Thread(target=lambda: answers.append(
        _post(handle, path, {"query": "{ slow_item { id } }"})))
    request.start()
    deadline = time.monotonic() + 30
    # Once it ran a while: a statement ended at once is run again (see the tests below).
    while not _terminate(url, "state = 'active' AND query LIKE '%slow_item%' "
                              "AND now() - query_start > interval '0.5 seconds'"):
        assert time.monotonic() < deadline, "the slow query never ran"
        time.sleep(0.02)
    request.join(timeout=30)
    assert answers, "no answer after the backend was terminated"
    assert answers[0].status_code == (200 if path == "/v1/graphql" else 500)
    assert answers[0].json() == {"errors": [CONNECTION_ERROR]}
    assert _post(handle, path, ITEMS).json() == ITEMS_DATA


def test_connection_errors_backends_terminated_between_requests_are_replaced(
        lost: tuple[EngineHandle, str]) -> None:
    """Connections the server terminated while idle are replaced, never "unexpected".

    GIVEN every backend of the engine terminated while idle (pool and kept connections)
    WHEN the next query comes at once THEN it is answered with data (when it raced the
    server's goodbye on a connection, run again on another), and so is the one after it.
    """
    handle, url = lost
    for _ in range(3):
        assert _post(handle, "/v1/graphql", ITEMS).json() == ITEMS_DATA
        assert _terminate(url) >= 1
        first = _post(handle, "/v1/graphql", ITEMS)
        assert first.status_code == 200
        assert first.json() == ITEMS_DATA
        assert _post(handle, "/v1/graphql", ITEMS).json() == ITEMS_DATA


def _terminate_kept(engine: GraphQLEngine, url: str) -> int:
    """Terminate the backend of the engine's kept connection; the loop does not run meanwhile.

    The call blocks (a synchronous connection): the backend's goodbye waits unread on the
    kept connection, as when it arrives between the event loop's last look and the next
    request. Returns the terminated backend's pid.
    """
    assert engine.connections.held == 1
    proxy: Any = engine.connections.take_kept()
    pid: int = proxy.get_server_pid()
    assert engine.connections.keep(proxy, True)
    with psycopg.connect(url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone() \
            == (True,)
    return pid


def _kept_pid(engine: GraphQLEngine) -> int | None:
    proxy: Any = engine.connections.take_kept()
    if proxy is None:
        return None
    pid: int = proxy.get_server_pid()
    assert engine.connections.keep(proxy, True)
    return pid


async def test_connection_errors_a_query_on_a_connection_ended_while_idle_runs_again(
        blog_engine: GraphQLEngine, database_url: str) -> None:
    """A query whose kept connection's backend ended while idle is answered with data.

    GIVEN the engine's kept connection, its backend terminated and the goodbye not read yet
    WHEN the next query runs on it (and fails before any row came back) THEN the query runs
    again on another connection and answers with data; the broken connection is not kept.
    """
    query = "{ author(order_by: {id: asc}) { name } }"
    data = {"data": {"author": [{"name": "Alice"}, {"name": "Bob"}]}}
    for _ in range(2):
        assert await gql(blog_engine, query) == data
        dead = _terminate_kept(blog_engine, database_url)
        assert await gql(blog_engine, query) == data
        assert _kept_pid(blog_engine) not in (None, dead)


async def test_connection_errors_a_mutation_on_a_connection_ended_while_idle_is_not_retried(
        blog_engine: GraphQLEngine, database_url: str) -> None:
    """A mutation whose kept connection's backend ended while idle is not run again.

    GIVEN the engine's kept connection, its backend terminated and the goodbye not read yet
    WHEN a mutation runs on it THEN Hasura's connection error answers it, nothing was
    inserted, and the next request is answered on a fresh connection.
    """
    insert = 'mutation { insert_author(objects: {name: "Carol"}) { affected_rows } }'
    count = "{ author_aggregate(where: {name: {_eq: \"Carol\"}}) { aggregate { count } } }"
    assert await gql(blog_engine, count) == {
        "data": {"author_aggregate": {"aggregate": {"count": 0}}}}
    dead = _terminate_kept(blog_engine, database_url)
    assert await gql(blog_engine, insert) == {"errors": [CONNECTION_ERROR]}
    assert await gql(blog_engine, count) == {
        "data": {"author_aggregate": {"aggregate": {"count": 0}}}}
    assert _kept_pid(blog_engine) not in (None, dead)


@pytest.mark.parametrize("exc", [
    asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.CannotConnectNowError("the database system is starting up"),
    asyncpg.InternalClientError("cannot switch to state 12; another operation (2) is in "
                                "progress"),
    asyncpg.InterfaceError("connection is closed"),
    ConnectionRefusedError(111, "Connect call failed"),
    TimeoutError(),
], ids=lambda exc: type(exc).__name__)
def test_connection_errors_every_lost_connection_answers_the_same(exc: Exception) -> None:
    """Every way asyncpg reports a lost connection answers Hasura's connection error.

    GIVEN an error of a broken, closed or refused connection WHEN answered THEN ``connection
    error`` / ``postgres-error`` at ``$``, without the driver's detail.
    """
    assert connection_lost(exc)
    assert orjson.loads(error_body(exc)) == {"errors": [CONNECTION_ERROR]}


def test_connection_errors_too_many_connections_is_hasuras_max_connections_error() -> None:
    """A server out of connection slots is Hasura's ``postgres-max-connections-error``.

    GIVEN PostgreSQL's 53300 WHEN answered THEN Hasura's message and code.
    """
    exc = asyncpg.TooManyConnectionsError("sorry, too many clients already")
    assert orjson.loads(error_body(exc)) == {"errors": [{
        "message": "max connections reached on postgres",
        "extensions": {"path": "$", "code": "postgres-max-connections-error"}}]}


@pytest.mark.parametrize("exc", [
    asyncpg.DataError("invalid input for query argument $1"),
    asyncpg.UniqueViolationError("duplicate key value"),
    asyncpg.QueryCanceledError("canceling statement due to statement timeout"),
], ids=lambda exc: type(exc).__name__)
def test_connection_errors_statement_errors_are_not_connection_errors(exc: Exception) -> None:
    """A statement's own error is not a lost connection.

    GIVEN a bad value, a constraint violation or a cancelled statement WHEN classified THEN
    the connection is not lost (each keeps its own answer).
    """
    assert not connection_lost(exc)
    assert orjson.loads(error_body(exc))["errors"][0]["message"] != "connection error"
