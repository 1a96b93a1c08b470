"""Concurrent calls of one script share a pipeline, on a real Redis; each gets its own reply."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from auctions.script_batch import BatchedScript
from devstack.ports import free_port

COUNT = """
-- {marker}
if ARGV[1] == 'bad' then return redis.error_reply('refused ' .. ARGV[1]) end
return {{ARGV[1], redis.call('INCR', KEYS[1])}}
"""


def count_script(redis: Redis, max_batch: int = 100) -> BatchedScript:
    """A script Redis has not seen yet (a fresh marker), so the first call must load it."""
    return BatchedScript(redis, COUNT.format(marker=uuid.uuid4().hex), max_batch)


async def test_script_batch_runs_one_turns_calls_in_pipelines_in_order(redis: Redis) -> None:
    """GIVEN a script not yet loaded in Redis, batched 10 calls per pipeline.

    WHEN 25 calls are made at once, one of them refused by the script
    THEN each caller gets its own reply, the counter rose in call order, the refused call
    alone fails, and 3 pipelines carried them.
    """
    script = count_script(redis, max_batch=10)
    calls = [script(["counter"], ["bad" if n == 7 else f"c{n}"]) for n in range(25)]
    replies: list[Any] = list(await asyncio.gather(*calls, return_exceptions=True))

    refused = replies.pop(7)
    assert isinstance(refused, ResponseError)
    assert "refused bad" in str(refused)
    assert [(r[0].decode(), r[1]) for r in replies] == [
        (f"c{n}", i + 1) for i, n in enumerate(n for n in range(25) if n != 7)]
    assert script.pipelines == 3


async def test_script_batch_sends_calls_of_later_turns_in_later_pipelines(redis: Redis) -> None:
    """GIVEN a batched script.

    WHEN three calls are made one after the other (each awaited)
    THEN each gets its reply and each went in a pipeline of its own.
    """
    script = count_script(redis)
    replies = [await script(["counter"], [f"c{n}"]) for n in range(3)]

    assert [r[1] for r in replies] == [1, 2, 3]
    assert script.pipelines == 3


async def test_script_batch_gives_every_call_the_connection_error() -> None:
    """GIVEN a Redis nobody listens on.

    WHEN 5 calls are made at once
    THEN each fails with the connection error.
    """
    client = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=2)
    try:
        script = count_script(client)
        replies = await asyncio.gather(*(script(["k"], [str(n)]) for n in range(5)),
                                       return_exceptions=True)
    finally:
        await client.aclose()

    assert all(isinstance(r, RedisConnectionError) for r in replies), replies
