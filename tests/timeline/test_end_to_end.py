"""The timeline end to end, every piece the real one.

Engine → action service → Redis; engine events → trigger service → Redis; the expiry
sweep through the engine; the real-time publisher (streaming subscriptions over the
engine's websocket).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import websockets
from redis import Redis
from websockets.typing import Subprotocol

from bench.timeline.stack import SHARED_SECRET, TimelineStack, timeline_stack
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR

ANA = "5a0e1f00-0000-4000-8000-00000000000a"
BEN = "5a0e1f00-0000-4000-8000-00000000000b"
CY = "5a0e1f00-0000-4000-8000-00000000000c"
TIMELINE = "query($limit: Int, $before: timestamptz) { homeTimeline(limit: $limit, " \
           "before: $before) { posts { id text expires_at } cached next_before } }"


@dataclass
class Harness:
    stack: TimelineStack
    redis: Redis

    def timeline(self, limit: int = 20, before: str | None = None) -> dict[str, Any]:
        body = self.stack.graphql(TIMELINE, {"limit": limit, "before": before})
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["homeTimeline"]
        return result

    def sql(self, statement: str, *args: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.stack.database_url) as conn:
            cursor = conn.execute(statement, args)
            return cursor.fetchall() if cursor.description else []

    def post(self, text: str, lifetime: str = "one_day") -> str:
        body = self.stack.graphql(
            "mutation($o: posts_insert_input!) { insert_posts_one(object: $o) { id } }",
            {"o": {"text": text, "lifetime": lifetime}}, self.stack.as_user(ANA))
        assert "errors" not in body, body
        post_id: str = body["data"]["insert_posts_one"]["id"]
        return post_id

    async def eventually(self, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first timeline answer ``check`` accepts, or the last one after 10 s."""
        deadline = time.monotonic() + 10
        while True:
            answer = self.timeline()
            if check(answer) or time.monotonic() > deadline:
                return answer
            await asyncio.sleep(0.1)


@pytest.fixture(scope="module")
async def harness(create_database: Callable[[str], str], state_root: Path,
                  redis_database: Callable[[], str]) -> AsyncIterator[Harness]:
    url = create_database("timeline")
    await asyncio.to_thread(Migrator(url, HASURA_DIR / "migrations").apply)
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO users (id, email, name) VALUES (%s, 'ana@example.com', 'Ana')",
                     (ANA,))
    redis_url = redis_database()
    stack = timeline_stack(url, state_root, redis_url, "timeline-e2e")
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    try:
        await asyncio.to_thread(stack.start)
        yield Harness(stack, redis)
    finally:
        await asyncio.to_thread(stack.stop)
        redis.close()


async def test_home_timeline_is_filled_on_a_miss_then_served_from_the_cache(
    harness: Harness,
) -> None:
    """GIVEN two live posts and one expired (not swept).

    WHEN anonymous asks for the timeline twice
    THEN the first answer comes from the database, the second from the cache, both newest
    first without the expired post.
    """
    first_post = harness.post("first")
    second_post = harness.post("second")
    harness.sql("INSERT INTO posts (author_id, text, lifetime, created_at) "
                "VALUES (%s, 'gone', 'one_hour', now() - interval '2 hours')", ANA)
    await harness.eventually(lambda a: a["posts"][:1] == [] or a["posts"][0]["id"] == second_post)

    miss = await harness.eventually(lambda a: not a["cached"])
    hit = harness.timeline()

    assert [p["id"] for p in miss["posts"]][:2] == [second_post, first_post]
    assert "gone" not in {p["text"] for p in miss["posts"]}
    assert hit["cached"] is True
    assert hit["posts"] == miss["posts"]


async def test_home_timeline_concurrent_misses_do_not_exhaust_the_engine_pool(
    harness: Harness,
) -> None:
    """Concurrent misses do not exhaust the engine's pool.

    GIVEN an engine with 10 database connections (the default)
    WHEN 16 homeTimeline calls miss the cache at once (each action reads posts back through
    the same engine)
    THEN all 16 answer: the engine holds no connection while it waits for an action (it
    did, and 10 waiting actions left none for their own reads until the action timeout).
    """
    cursors = [f"2020-01-01T00:00:{n:02d}Z" for n in range(16)]  # distinct, uncached pages
    async with httpx.AsyncClient(timeout=30) as client:
        replies = await asyncio.gather(*[
            client.post(harness.stack.engine.graphql_url(), json={
                "query": TIMELINE, "variables": {"limit": 5, "before": before}})
            for before in cursors])
    answers = [r.json() for r in replies]

    assert all("errors" not in a for a in answers), answers
    assert all(a["data"]["homeTimeline"]["cached"] is False for a in answers)


async def test_home_timeline_new_post_invalidates_the_cached_head(harness: Harness) -> None:
    """GIVEN a cached head (TTL 60 s).

    WHEN a user posts
    THEN within seconds the timeline shows the post: the event trigger invalidated the head
    (without it, the cached answer would stay for a minute).
    """
    harness.timeline()
    assert harness.timeline()["cached"] is True

    new = harness.post("fresh news")
    answer = await harness.eventually(lambda a: bool(a["posts"]) and a["posts"][0]["id"] == new)

    assert answer["posts"][0]["id"] == new


async def test_home_timeline_deleted_post_invalidates_cached_entries(harness: Harness) -> None:
    """GIVEN a post in the cached head and in a cached older page.

    WHEN its author deletes it
    THEN it disappears from both within seconds.
    """
    doomed = harness.post("delete me")
    newer = harness.post("newer")
    await harness.eventually(lambda a: a["posts"][0]["id"] == newer)
    head = harness.timeline(limit=1)
    page = harness.timeline(limit=5, before=head["next_before"])
    assert doomed in {p["id"] for p in page["posts"]}
    assert harness.timeline(limit=5, before=head["next_before"])["cached"] is True

    body = harness.stack.graphql(
        "mutation($id: uuid!) { delete_posts(where: {id: {_eq: $id}}) { affected_rows } }",
        {"id": doomed}, harness.stack.as_user(ANA))
    assert body["data"]["delete_posts"]["affected_rows"] == 1

    await harness.eventually(lambda a: doomed not in {p["id"] for p in a["posts"]})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        older = harness.timeline(limit=5, before=head["next_before"])
        if doomed not in {p["id"] for p in older["posts"]}:
            break
        await asyncio.sleep(0.1)
    assert doomed not in {p["id"] for p in older["posts"]}


async def test_home_timeline_cached_entry_ttl_is_bounded_by_the_earliest_expiry(
    harness: Harness,
) -> None:
    """GIVEN a post (back-dated by an admin) that expires 3 s from now.

    WHEN the head is cached
    THEN its entry's TTL in Redis is at most 3 s, and once the post expires the timeline no
    longer holds it (a fresh read, not the old entry).
    """
    rows = harness.sql("INSERT INTO posts (author_id, text, lifetime, created_at) VALUES "
                       "(%s, 'short-lived', 'one_hour', now() - interval '1 hour' "
                       "+ interval '3 s') RETURNING id::text", ANA)
    short = rows[0][0]
    answer = await harness.eventually(
        lambda a: short in {p["id"] for p in a["posts"]} and not a["cached"])
    assert short in {p["id"] for p in answer["posts"]}
    generation = harness.redis.get("timeline:generation:head")
    assert isinstance(generation, bytes)
    ttl_ms = harness.redis.pttl(f"timeline:head:{generation.decode()}")

    assert 0 < ttl_ms <= 3000
    await asyncio.sleep(ttl_ms / 1000 + 0.2)
    after = harness.timeline()
    assert short not in {p["id"] for p in after["posts"]}
    assert after["cached"] is False


async def test_expiry_sweep_deletes_expired_posts_in_batches(harness: Harness) -> None:
    """GIVEN 7 expired posts (and live ones).

    WHEN the expire_posts cron runs with batch_size 3
    THEN it deletes the 7 in 3 batches and says so; live posts stay.
    """
    harness.sql("DELETE FROM posts WHERE expires_at <= now()")
    harness.sql("INSERT INTO posts (author_id, text, lifetime, created_at) "
                "SELECT %s, 'old ' || n, 'one_hour', now() - interval '2 hours' "
                "FROM generate_series(1, 7) n", ANA)
    live_before = harness.sql("SELECT count(*) FROM posts WHERE expires_at > now()")[0][0]
    assert harness.stack.triggers is not None
    body = {"id": "run-1", "name": "expire_posts", "scheduled_time": "2026-12-03T12:00:00Z",
            "payload": {"batch_size": 3}, "comment": None}
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(harness.stack.triggers.url() + "/cron/expire-posts",
                                   json=body, headers={"X-Action-Secret": SHARED_SECRET})

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"deleted": 7, "batches": 3, "batch_size": 3, "finished": True}
    assert harness.sql("SELECT count(*) FROM posts WHERE expires_at <= now()")[0][0] == 0
    assert harness.sql("SELECT count(*) FROM posts")[0][0] == live_before


class Subscriber:
    """One graphql-transport-ws connection to the engine with one subscription."""

    def __init__(self, url: str, headers: dict[str, str], query: str,
                 variables: dict[str, Any]) -> None:
        self.url = url.replace("http://", "ws://")
        self.headers = headers
        self.query = query
        self.variables = variables
        self.rows: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Subscriber:
        self._socket = await websockets.connect(
            self.url, subprotocols=[Subprotocol("graphql-transport-ws")])
        await self._socket.send(json.dumps({"type": "connection_init",
                                            "payload": {"headers": self.headers}}))
        ack = {"type": "ping"}
        while ack["type"] in ("ping", "pong"):  # keep-alive pings may come first
            ack = json.loads(await asyncio.wait_for(self._socket.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await self._socket.send(json.dumps({"type": "subscribe", "id": "1", "payload": {
            "query": self.query, "variables": self.variables}}))
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        async for raw in self._socket:
            message = json.loads(raw)
            if message["type"] in ("ping", "pong"):
                continue
            if message["type"] != "next" or "errors" in message["payload"]:
                self.errors.append(message)
                continue
            data = message["payload"]["data"]
            self.rows.extend(next(iter(data.values())))

    def ids(self) -> set[str]:
        return {row["id"] for row in self.rows}

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
        await self._socket.close()


async def _until(check: Callable[[], bool], seconds: float = 10) -> bool:
    for _ in range(int(seconds * 10)):
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


POSTS_STREAM = ("subscription($since: timestamptz!) { posts_stream(batch_size: 10, "
                "cursor: {initial_value: {created_at: $since}}) { id text } }")
MESSAGES_STREAM = ("subscription($since: timestamptz!) { messages_stream(batch_size: 10, "
                   "cursor: {initial_value: {created_at: $since}}) { id text } }")


async def test_realtime_new_posts_reach_stream_subscribers(harness: Harness) -> None:
    """Realtime new posts reach stream subscribers.

    GIVEN an anonymous client subscribed to posts_stream from now
    WHEN a user posts
    THEN the post arrives on the subscription within seconds.
    """
    since = harness.sql("SELECT now()::text")[0][0]
    async with Subscriber(harness.stack.engine.graphql_url(), {}, POSTS_STREAM,
                          {"since": since}) as subscriber:
        new = harness.post("live now")
        arrived = await _until(lambda: new in subscriber.ids())

    assert arrived, subscriber.rows
    assert subscriber.errors == []


async def test_realtime_new_messages_reach_the_two_participants_only(harness: Harness) -> None:
    """Realtime new messages reach the two participants only.

    GIVEN Ana and Ben in a conversation, Cy outside it (but in one with Ana), all three
    subscribed to messages_stream
    WHEN Ben writes to Ana, then Ana to Cy
    THEN Ana and Ben receive Ben's message and Cy does not; Cy receives Ana's to her.
    """
    harness.sql("INSERT INTO users (id, email, name) VALUES (%s, 'ben@example.com', 'Ben'), "
                "(%s, 'cy@example.com', 'Cy') ON CONFLICT DO NOTHING", BEN, CY)
    conversation = harness.sql("INSERT INTO conversations (user_a, user_b) VALUES (%s, %s) "
                               "RETURNING id::text", ANA, BEN)
    with_cy = harness.sql("INSERT INTO conversations (user_a, user_b) VALUES (%s, %s) "
                          "RETURNING id::text", ANA, CY)
    send = ("mutation($c: uuid!, $t: String!) { insert_messages_one(object: "
            "{conversation_id: $c, text: $t}) { id } }")
    since = harness.sql("SELECT now()::text")[0][0]
    url = harness.stack.engine.graphql_url()
    async with Subscriber(url, harness.stack.as_user(ANA), MESSAGES_STREAM,
                          {"since": since}) as ana, \
            Subscriber(url, harness.stack.as_user(BEN), MESSAGES_STREAM,
                       {"since": since}) as ben, \
            Subscriber(url, harness.stack.as_user(CY), MESSAGES_STREAM,
                       {"since": since}) as cy:
        body = harness.stack.graphql(send, {"c": conversation[0][0], "t": "see you at 8"},
                                     harness.stack.as_user(BEN))
        message = body["data"]["insert_messages_one"]["id"]
        both = await _until(lambda: message in ana.ids() and message in ben.ids())
        body = harness.stack.graphql(send, {"c": with_cy[0][0], "t": "hi Cy"},
                                     harness.stack.as_user(ANA))
        to_cy = body["data"]["insert_messages_one"]["id"]
        cy_got_hers = await _until(lambda: to_cy in cy.ids())

    assert both, (ana.rows, ben.rows)
    assert cy_got_hers, cy.rows
    assert message not in cy.ids()
    assert to_cy not in ben.ids()
    assert ana.errors == ben.errors == cy.errors == []
