"""``/healthz`` tells a load balancer the truth when the database goes away."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from devstack.ports import free_port
from devstack.services.engine import EngineHandle
from devstack.services.postgres import PostgresServer
from tests.engine.auth.keys import JwtKeys
from tests.engine.subscriptions.conftest import start_subscription_engine
from tests.engine.subscriptions.wsclient import TRANSPORT_WS, WsClient


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_healthz_reports_a_stopped_database_and_logs_the_outage_once(
        state_root: Path, start_engine: Callable[..., EngineHandle]) -> None:
    """Healthz reports a stopped database and logs the outage once.

    GIVEN an engine on its own PostgreSQL server, answering /healthz 200 OK WHEN that server
    stops THEN /healthz answers 500 "ERROR" as Hasura does (so a load balancer takes the
    instance out), and the pollers' warning appears once, not several times a second.
    """
    root = state_root / f"pg-health-{free_port()}"
    server = PostgresServer(root, free_port())
    server.start(root / "postgres.log", root / "postgres.pid", fsync=False)
    try:
        engine = start_engine(server.url())
        assert engine.http.get("/healthz").text == "OK"
        server.stop()
        assert _wait_for(lambda: engine.http.get("/healthz").status_code == 500, 15.0)
        answer = engine.http.get("/healthz")
        assert (answer.status_code, answer.text) == (500, "ERROR")
        warning = "async actions: cannot read the log"
        assert _wait_for(lambda: warning in engine.server.log_path.read_text(), 30.0)
        time.sleep(3.0)  # the async-action poller retries every 0.2-1 s meanwhile
        assert engine.server.log_path.read_text().count(warning) == 1
    finally:
        server.stop()


async def test_healthz_and_requests_keep_their_pool_while_pollers_run(
        start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
        jwt_keys: JwtKeys) -> None:
    """The subscription pollers poll on a pool of their own.

    GIVEN an engine whose pollers have a one-connection pool and live subscriptions of
    two users being polled WHEN /healthz and a query are asked THEN both answer at once,
    and the subscribers get their own rows.
    """
    subs = start_subscription_engine(start_engine, create_database, jwt_keys,
                                     ENGINE_SUBSCRIPTION_PG_CONNECTIONS="1")
    clients = [await WsClient.initialised(subs.url, TRANSPORT_WS, subs.headers(user))
               for user in ("alice", "bob")]
    for client in clients:
        await client.start("s", "subscription { item(order_by: {id: asc}) { label } }")
    assert await clients[0].result("s") == {"data": {"item": [{"label": "a1"},
                                                             {"label": "a2"}]}}
    assert await clients[1].result("s") == {"data": {"item": [{"label": "b1"}]}}
    started = time.monotonic()
    health = subs.handle.http.get("/healthz", timeout=5)
    answer = subs.handle.graphql("{ item_aggregate { aggregate { count } } }")
    assert (health.status_code, health.text) == (200, "OK")
    assert answer == {"data": {"item_aggregate": {"aggregate": {"count": 3}}}}
    assert time.monotonic() - started < 5
    assert subs.stats()["subscribers"] == 2
    for client in clients:
        await client.close()


def test_healthz_and_queries_answer_with_a_request_pool_of_one_while_the_loops_run(
        start_engine: Callable[..., EngineHandle],
        create_database: Callable[[str], str]) -> None:
    """Healthz and queries answer with a request pool of one while the loops run.

    GIVEN an engine with HASURA_GRAPHQL_PG_CONNECTIONS=1, whose event, cron and one-off
    delivery loops each keep a connection while they run, and an event trigger at work
    WHEN /healthz and a query are asked THEN both answer at once (the loops' connections
    come from the background pool), and the event loop did its work meanwhile.
    """
    engine = start_engine(create_database("pool-of-one"),
                          extra_env={"HASURA_GRAPHQL_PG_CONNECTIONS": "1"})
    engine.run_sql("create table note (id int primary key)")
    response = engine.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "note"}},
        {"type": "pg_create_event_trigger", "args": {
            "name": "note_added", "table": "note", "insert": {"columns": "*"},
            # Nothing listens there: each try fails at once and is logged.
            "webhook": f"http://127.0.0.1:{free_port()}/hook",
            "retry_conf": {"num_retries": 0, "interval_sec": 1, "timeout_sec": 2}}},
    ]})
    assert response.status_code == 200, response.text
    engine.graphql("mutation { insert_note(objects: [{id: 1}]) { affected_rows } }")
    for _ in range(3):
        answer = engine.http.get("/healthz", timeout=5.0)
        assert (answer.status_code, answer.text) == (200, "OK")
        assert engine.graphql("{ note { id } }") == {"data": {"note": [{"id": 1}]}}

    def attempted() -> bool:
        logged = engine.run_sql("select count(*) from hdb_catalog.event_invocation_logs")
        return bool(logged["result"][1][0] == "1")

    assert _wait_for(attempted, 15.0)
