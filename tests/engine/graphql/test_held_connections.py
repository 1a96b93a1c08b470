"""Connections kept between requests: reused while clean, back in the pool once unused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from engine.graphql import GraphQLEngine
from engine.graphql.held_connections import HeldConnections
from tests.engine.graphql.conftest import gql

POOL_SIZE = 3


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool of three connections, all opened at once."""
    created = await asyncpg.create_pool(database_url, min_size=POOL_SIZE, max_size=POOL_SIZE)
    assert created is not None
    try:
        yield created
    finally:
        await asyncio.wait_for(created.close(), 30)


async def _until(condition: Callable[[], bool], deadline_s: float = 30.0) -> None:
    """Wait until ``condition()`` holds (a generous deadline: the machine may be loaded)."""
    for _ in range(int(deadline_s / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_held_connections_hand_a_clean_connection_to_the_next_request(
        pool: asyncpg.Pool) -> None:
    """Held connections hand a clean connection to the next request.

    GIVEN a connection given back clean WHEN the next request takes one THEN it is the same
    connection, and the pool never saw it come back.
    """
    held = HeldConnections(pool, hold_seconds=60)
    first = await held.take()
    await first.fetchval("SELECT 1")
    await held.give_back(first, clean=True)
    assert held.held == 1
    assert pool.get_idle_size() == POOL_SIZE - 1
    second = await held.take()
    assert second is first
    assert held.held == 0
    await held.give_back(second, clean=True)
    await held.close()
    assert pool.get_idle_size() == POOL_SIZE


async def test_held_connections_release_what_is_not_clean(pool: asyncpg.Pool) -> None:
    """Held connections release what is not clean.

    GIVEN connections given back after an error, inside an open transaction, or closed WHEN
    given back THEN none is kept: each goes back through the pool (a transaction left open
    is rolled back there).
    """
    held = HeldConnections(pool, hold_seconds=60)
    failed = await held.take()
    await held.give_back(failed, clean=False)
    in_transaction = await held.take()
    transaction = in_transaction.transaction()
    await transaction.start()
    await held.give_back(in_transaction, clean=True)
    closed = await held.take()
    await closed.close()
    await held.give_back(closed, clean=True)
    assert held.held == 0
    await _until(lambda: pool.get_idle_size() == POOL_SIZE)
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()


async def test_held_connections_keep_at_most_the_pool_size_minus_one(
        pool: asyncpg.Pool) -> None:
    """Held connections keep at most the pool size minus one.

    GIVEN every connection of the pool in use through held connections WHEN the first is
    given back clean THEN it goes to the pool (the pool's other users find one while the
    rest stay in use); the others are kept.
    """
    held = HeldConnections(pool, hold_seconds=60)
    taken = [await held.take() for _ in range(POOL_SIZE)]
    await held.give_back(taken[0], clean=True)
    assert held.held == 0
    assert pool.get_idle_size() == 1
    for conn in taken[1:]:
        await held.give_back(conn, clean=True)
    assert held.held == POOL_SIZE - 1
    assert pool.get_idle_size() == 1
    await held.close()


async def test_held_connections_give_back_what_a_whole_period_left_unused(
        pool: asyncpg.Pool) -> None:
    """Held connections give back what a whole period left unused.

    GIVEN two kept connections WHEN a period ends in which only one was taken THEN the
    other goes back to the pool; after a period without requests, both.
    """
    held = HeldConnections(pool, hold_seconds=60)  # periods ended by hand below
    one, two = await held.take(), await held.take()
    await held.give_back(one, clean=True)
    await held.give_back(two, clean=True)
    held._period_over()  # both were kept during part of this period only
    assert held.held == 2
    again = await held.take()
    assert again is two  # the most recently kept first
    await held.give_back(again, clean=True)
    held._period_over()
    await _until(lambda: pool.get_idle_size() == POOL_SIZE - 1)
    assert held.held == 1
    held._period_over()
    await _until(lambda: pool.get_idle_size() == POOL_SIZE)
    assert held.held == 0


async def test_held_connections_return_to_the_pool_when_requests_stop(
        pool: asyncpg.Pool) -> None:
    """Held connections return to the pool when requests stop.

    GIVEN connections kept with a short period WHEN no request comes THEN the pool gets
    them all back by itself.
    """
    held = HeldConnections(pool, hold_seconds=0.02)
    taken = [await held.take() for _ in range(2)]
    for conn in taken:
        await held.give_back(conn, clean=True)
    await _until(lambda: held.held == 0 and pool.get_idle_size() == POOL_SIZE)


async def test_held_connections_serve_a_request_waiting_for_the_pool_first(
        pool: asyncpg.Pool) -> None:
    """Held connections serve a request waiting for the pool first.

    GIVEN every connection in use and one more request waiting for the pool WHEN a
    connection is given back clean THEN the waiting request gets it (none is kept ahead of it).
    """
    held = HeldConnections(pool, hold_seconds=60)
    taken = [await held.take() for _ in range(POOL_SIZE)]
    waiting = asyncio.ensure_future(held.take())
    await asyncio.sleep(0)  # the waiting request is now queued on the pool
    assert not waiting.done()
    await held.give_back(taken[0], clean=True)
    served = await asyncio.wait_for(waiting, 30)
    assert held.held == 0
    await held.give_back(served, clean=True)  # all three out: this one goes to the pool
    assert held.held == 0
    for conn in taken[1:]:  # nobody waits, two out: kept
        await held.give_back(conn, clean=True)
    assert held.held == POOL_SIZE - 1
    await held.close()
    assert pool.get_idle_size() == POOL_SIZE


async def test_held_connections_release_at_once_after_close(pool: asyncpg.Pool) -> None:
    """Held connections release at once after close.

    GIVEN closed held connections WHEN a request in flight gives its connection back THEN
    the pool gets it (nothing is kept after close).
    """
    held = HeldConnections(pool, hold_seconds=60)
    in_flight = await held.take()
    await held.close()
    await held.give_back(in_flight, clean=True)
    assert held.held == 0
    assert pool.get_idle_size() == POOL_SIZE


async def test_held_connections_serve_the_engine_and_let_its_pool_close(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """Held connections serve the engine and let its pool close.

    GIVEN an engine that answered queries and a failing one WHEN its connections are closed
    THEN the answers were right and the pool has every connection back.
    """
    for _ in range(3):
        answer = await gql(blog_engine, "{ author(order_by: {id: asc}) { name } }")
        assert answer == {"data": {"author": [{"name": "Alice"}, {"name": "Bob"}]}}
    failing = await gql(blog_engine, 'mutation { insert_author_one(object: {name: "Alice"}) '
                                     "{ id } }")
    assert failing["errors"][0]["extensions"]["code"] == "constraint-violation"
    await blog_engine.connections.close()
    await _until(lambda: blog_pool.get_idle_size() == blog_pool.get_size())
