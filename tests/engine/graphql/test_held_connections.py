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


async def test_held_connections_check_out_at_most_the_pool_size_minus_one(
        pool: asyncpg.Pool) -> None:
    """Held connections check out at most the pool size minus one.

    GIVEN the pool's size minus one connections in use through held connections WHEN one
    more request takes one THEN it waits, and the pool's other users still find one; once a
    connection is given back clean the waiting request gets that one, and the rest are kept.
    """
    held = HeldConnections(pool, hold_seconds=60)
    taken = [await held.take() for _ in range(POOL_SIZE - 1)]
    waiting = asyncio.ensure_future(held.take())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    assert pool.get_idle_size() == 1
    async with pool.acquire() as other:
        assert await other.fetchval("SELECT 1") == 1
    await held.give_back(taken[0], clean=True)
    served = await asyncio.wait_for(waiting, 30)
    assert served is taken[0]
    for conn in [served, *taken[1:]]:
        await held.give_back(conn, clean=True)
    assert held.held == POOL_SIZE - 1
    assert pool.get_idle_size() == 1
    await held.close()
    assert pool.get_idle_size() == POOL_SIZE


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

    GIVEN the pool's other users holding the rest of its connections and one request
    waiting for the pool itself WHEN a connection is given back clean THEN it goes to the
    pool, whose waiting request gets it (none is kept ahead of it).
    """
    held = HeldConnections(pool, hold_seconds=60)
    first = await held.take()
    others = [await pool.acquire() for _ in range(POOL_SIZE - 1)]  # the pool is now empty
    waiting = asyncio.ensure_future(held.take())
    await asyncio.sleep(0.05)  # the waiting request is now queued on the pool
    assert not waiting.done()
    await held.give_back(first, clean=True)
    served = await asyncio.wait_for(waiting, 30)
    assert served is not None
    assert held.held == 0
    for other in others:
        await pool.release(other)
    await held.give_back(served, clean=True)  # nobody waits: kept
    assert held.held == 1
    await held.close()
    assert pool.get_idle_size() == POOL_SIZE


async def test_held_connections_serve_queued_requests_in_turn(pool: asyncpg.Pool) -> None:
    """Held connections serve queued requests in turn.

    GIVEN the limit in use and three more requests queued, the second of them cancelled
    WHEN a connection is given back clean, then one after an error THEN the first queued
    gets the clean one directly, the third a place to acquire one from the pool (the
    cancelled one nothing), and every connection ends back in the pool.
    """
    held = HeldConnections(pool, hold_seconds=60)
    taken = [await held.take() for _ in range(POOL_SIZE - 1)]
    queued = [asyncio.ensure_future(held.take()) for _ in range(3)]
    await asyncio.sleep(0.05)
    queued[1].cancel()
    await asyncio.sleep(0)
    await held.give_back(taken[0], clean=True)
    first = await asyncio.wait_for(queued[0], 30)
    assert first is taken[0]
    assert not queued[2].done()
    await held.give_back(taken[1], clean=False)  # released to the pool: a place for the third
    third = await asyncio.wait_for(queued[2], 30)
    assert await third.fetchval("SELECT 1") == 1
    assert queued[1].cancelled()
    for conn in (first, third):
        await held.give_back(conn, clean=True)
    await held.close()
    await _until(lambda: pool.get_idle_size() == POOL_SIZE)


async def test_held_connections_pass_on_what_a_cancelled_request_was_handed(
        pool: asyncpg.Pool) -> None:
    """Held connections pass on what a cancelled request was handed.

    GIVEN two queued requests WHEN the first is handed a connection and cancelled before it
    runs THEN the second gets that connection, nothing is lost.
    """
    held = HeldConnections(pool, hold_seconds=60)
    taken = [await held.take() for _ in range(POOL_SIZE - 1)]
    first, second = asyncio.ensure_future(held.take()), asyncio.ensure_future(held.take())
    await asyncio.sleep(0.05)
    await held.give_back(taken[0], clean=True)  # handed to the first, not yet running
    first.cancel()
    served = await asyncio.wait_for(second, 30)
    assert served is taken[0]
    assert first.cancelled()
    for conn in (served, taken[1]):
        await held.give_back(conn, clean=True)
    await held.close()
    await _until(lambda: pool.get_idle_size() == POOL_SIZE)


async def test_held_connections_let_queued_requests_go_to_the_pool_once_closed(
        pool: asyncpg.Pool) -> None:
    """Held connections let queued requests go to the pool once closed.

    GIVEN a request queued for a connection WHEN the held connections are closed (the
    engine was replaced) and one in use is given back THEN the queued request gets one from
    the pool and nothing is kept.
    """
    held = HeldConnections(pool, hold_seconds=60)
    taken = [await held.take() for _ in range(POOL_SIZE - 1)]
    queued = asyncio.ensure_future(held.take())
    await asyncio.sleep(0.05)
    await held.close()
    served = await asyncio.wait_for(queued, 30)
    for conn in [*taken, served]:
        await held.give_back(conn, clean=True)
    assert held.held == 0
    await _until(lambda: pool.get_idle_size() == POOL_SIZE)


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
