"""The subscription manager in process, on a real database: pollers, cohorts, no leaks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import orjson
import pytest

from engine.graphql import EngineOptions, GraphQLEngine
from engine.session import Session
from engine.subscriptions.manager import SubscriptionManager, SubscriptionOptions
from tests.engine.graphql.conftest import BLOG_SQL, blog_metadata

FAST = SubscriptionOptions(live_interval=0.05, live_batch_size=2, stream_interval=0.05,
                           stream_batch_size=2)
SLOW = SubscriptionOptions(live_interval=10, live_batch_size=2)
QUERY = {"query": "subscription { article(order_by: {id: asc}) { title } }"}


def user(n: int) -> Session:
    """A session of the user role for user ``n``."""
    return Session("user", {"x-hasura-role": "user", "x-hasura-user-id": str(n)})


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[GraphQLEngine]:
    """The blog engine on a fresh database."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.execute(BLOG_SQL)
    try:
        yield await GraphQLEngine.build(pool, blog_metadata(), EngineOptions())
    finally:
        await pool.close()


async def test_manager_batches_cohorts_and_leaves_no_task_behind(engine: GraphQLEngine) -> None:
    """Many subscribers, one poller, batches of cohorts; nothing left running after them.

    GIVEN 5 subscribers in 3 cohorts (users 1, 2, 3) and batches of 2
    WHEN polled THEN one poller, 2 statements per poll, each subscriber its user's rows,
    an unchanged result not sent again;
    WHEN all leave THEN no poller and no task remain.
    """
    tasks_before = asyncio.all_tasks()
    manager = SubscriptionManager(engine.pool, SLOW)
    received: dict[int, list[str]] = {}
    tokens = []
    for i, n in enumerate([1, 1, 2, 3, 3]):
        prepared = engine.prepare(QUERY, user(n), {})
        received[i] = []
        tokens.append(manager.subscribe(engine, prepared, received[i].append,
                                        lambda body: None, QUERY))
    assert len(manager.pollers) == 1
    poller = manager.pollers[0]
    assert len(poller.cohorts) == 3
    for _ in range(100):
        if all(received.values()):
            break
        await asyncio.sleep(0.02)
    own = {"data": {"article": [{"title": "A1"}, {"title": "A2"}, {"title": "B1"}]}}
    published = {"data": {"article": [{"title": "A1"}, {"title": "B1"}]}}
    assert [orjson.loads(r[0]) for r in received.values()] == [own, own, published,
                                                               published, published]
    before = poller.statements
    await poller.poll()
    assert poller.statements - before == 2  # 3 cohorts in batches of 2
    assert all(len(r) == 1 for r in received.values())  # unchanged: not sent again
    for token in tokens:
        manager.unsubscribe(token)
    assert manager.pollers == []
    await asyncio.sleep(0.1)
    assert asyncio.all_tasks() - tasks_before == set()
    await manager.close()


async def test_manager_structural_variables_split_pollers(engine: GraphQLEngine) -> None:
    """A variable that shapes the SQL (a limit) makes its own poller.

    GIVEN one query subscribed with limit 1 and limit 2 WHEN added THEN two pollers.
    """
    manager = SubscriptionManager(engine.pool, FAST)
    query = "subscription($n: Int) { article(limit: $n) { id } }"
    for n in (1, 2, 1):
        payload = {"query": query, "variables": {"n": n}}
        manager.subscribe(engine, engine.prepare(payload, user(1), {}), lambda b: None,
                          lambda b: None, payload)
    assert len(manager.pollers) == 2
    await manager.close()
    assert manager.pollers == []


async def test_manager_pipelined_batches_answer_each_cohort_and_isolate_errors(
        engine: GraphQLEngine, database_url: str) -> None:
    """Batches sharing one connection go in one pipeline; a failing batch fails alone.

    GIVEN a pollers' pool of one connection, batches of 2 and 5 cohorts (users 1, a user
    id that is not an integer, 3, 4 and 2) WHEN polled THEN the first batch (1 and the bad
    id) gets the database's error, as it would alone; users 3 and 4 (no rows of their own)
    get the published rows and user 2 its own, in later batches;
    WHEN the first two leave and it polls again THEN 2 statements in one pipeline and
    nothing sent (the results did not change).
    """
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    assert pool is not None
    manager = SubscriptionManager(pool, SLOW)
    received: dict[str, list[str]] = {}
    tokens: dict[str, int] = {}
    try:
        for n in ["1", "x", "3", "4", "2"]:
            received[n] = []
            session = Session("user", {"x-hasura-role": "user", "x-hasura-user-id": n})
            tokens[n] = manager.subscribe(engine, engine.prepare(QUERY, session, {}),
                                          received[n].append, lambda body: None, QUERY)
        [poller] = manager.pollers
        await poller.poll()
        published = {"data": {"article": [{"title": "A1"}, {"title": "B1"}]}}
        assert "errors" in orjson.loads(received["1"][-1])
        assert "errors" in orjson.loads(received["x"][-1])
        assert orjson.loads(received["3"][-1]) == published
        assert orjson.loads(received["4"][-1]) == published
        assert orjson.loads(received["2"][-1]) == {
            "data": {"article": [{"title": "A1"}, {"title": "B1"}]}}
        manager.unsubscribe(tokens["1"])
        manager.unsubscribe(tokens["x"])
        sent = {n: len(received[n]) for n in ("3", "4", "2")}
        before = poller.statements
        await poller.poll()
        assert poller.statements - before == 2
        assert {n: len(received[n]) for n in ("3", "4", "2")} == sent
    finally:
        await manager.close()
        await pool.close()
