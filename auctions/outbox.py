"""Forwarding accepted bids from the Redis outbox to SQS, and mirroring them into PostgreSQL.

``place_bid.lua`` appends every accepted bid to one Redis list in the same atomic step that
accepts it, so a bid is never accepted without being queued for sending. A forwarder holds
a Redis lock (one forwarder at a time across processes keeps the order), reads the head of
the list, sends each bid to ``bid-persistence-queue.fifo`` (group = auction,
deduplication = bid id) and an outbid notice for the previous leader to
``notification-queue.fifo``, mirrors each auction's newest price and leader into
``auctions``, moves the close of an extended auction, and only then trims what it sent.
A crash in between sends the same entries again: SQS drops them within its five-minute
deduplication window and the history writer's conditional put drops them after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from redis.asyncio import Redis
from starlette.concurrency import run_in_threadpool

from auctions.bidbook import OUTBOX_KEY, from_cents, from_us
from auctions.engine_client import EngineCallError, EngineClient
from lambdas.shared.auction_messages import BidRecord, Notice

logger = logging.getLogger("auctions.outbox")

LOCK_KEY = "auctions:outbox:lock"
LOCK_MS = 30_000
SQS_BATCH = 10
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


MIRROR_ATTEMPTS = 3
"""Tries per auction and batch to write the mirror (0.2 s, then 0.4 s apart)."""


@dataclass(frozen=True)
class Entry:
    """One outbox entry: the bid, and what it changed."""

    bid: BidRecord
    end_us: int
    extended: bool
    previous_leader: str | None

    @classmethod
    def parse(cls, raw: bytes | str) -> Entry:
        """An entry written by ``place_bid.lua`` (amounts in cents)."""
        data = json.loads(raw)
        bid = BidRecord(
            auction_id=data["auction_id"], bid_id=data["bid_id"], user_id=data["user_id"],
            amount=str(from_cents(int(data["amount_cents"]))), sequence=int(data["sequence"]),
            timestamp_us=int(data["timestamp_us"]),
        )
        return cls(bid, int(data["end_us"]), bool(data["extended"]),
                   data.get("previous_leader") or None)

    def outbid_notice(self) -> Notice | None:
        """The notice for the leader this bid displaced (none for a first bid or a self-raise)."""
        if not self.previous_leader or self.previous_leader == self.bid.user_id:
            return None
        return Notice(
            kind="OUTBID", user_id=self.previous_leader, auction_id=self.bid.auction_id,
            amount=self.bid.amount,
            message=f"You were outbid: the highest bid is now {self.bid.amount}.",
            dedup_key=f"outbid:{self.bid.bid_id}",
        )


class Queues:
    """The two FIFO queues, sent to with boto3 (called from a worker thread)."""

    def __init__(self, sqs: Any, bid_queue: str, notification_queue: str) -> None:
        self.sqs = sqs
        self.bid_queue_name = bid_queue
        self.notification_queue_name = notification_queue
        self._urls: dict[str, str] = {}

    def url(self, name: str) -> str:
        """A queue's URL, looked up once."""
        if name not in self._urls:
            self._urls[name] = self.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return self._urls[name]

    def send(self, name: str, messages: Sequence[tuple[str, str, str]]) -> None:
        """Send ``(body, group, dedup id)`` messages in order, 10 per call; raises on a failure."""
        url = self.url(name)
        for start in range(0, len(messages), SQS_BATCH):
            chunk = messages[start:start + SQS_BATCH]
            answer = self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "MessageBody": body, "MessageGroupId": group,
                 "MessageDeduplicationId": dedup}
                for n, (body, group, dedup) in enumerate(chunk)
            ])
            if answer.get("Failed"):
                codes = {f.get("Code") for f in answer["Failed"]}
                raise RuntimeError(f"SQS refused {len(answer['Failed'])} message(s): {codes}")

    def send_bids(self, bids: Sequence[BidRecord]) -> None:
        """Accepted bids to the persistence queue."""
        self.send(self.bid_queue_name,
                  [(b.to_json(), b.auction_id, b.bid_id) for b in bids])

    def send_notices(self, notices: Sequence[Notice]) -> None:
        """Notices to the notification queue."""
        self.send(self.notification_queue_name,
                  [(n.to_json(), n.auction_id, n.dedup_key) for n in notices])


class OutboxForwarder:
    """Drains the outbox in order; one round at a time, woken by each accepted bid."""

    def __init__(self, redis: Redis, queues: Queues, engine: EngineClient, close_webhook: str,
                 batch: int = 100, idle_wait: float = 0.2) -> None:
        self.redis = redis
        self.queues = queues
        self.engine = engine
        self.close_webhook = close_webhook
        self.batch = batch
        self.idle_wait = idle_wait
        self._release = redis.register_script(_RELEASE)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Forward now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        """Run the forwarding loop in the background."""
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="auctions-outbox")

    async def stop(self) -> None:
        """Finish the round in progress, then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                sent = await self.forward_once()
            except Exception:  # a bug or an outage must not stop forwarding: retried next round
                logger.exception("forwarding the outbox failed; retrying")
                sent = 0
                await asyncio.sleep(self.idle_wait)
            if sent:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.idle_wait)

    async def forward_once(self) -> int:
        """Forward up to ``batch`` entries if this process gets the lock; returns how many."""
        token = uuid.uuid4().hex
        if not await self.redis.set(LOCK_KEY, token, nx=True, px=LOCK_MS):
            return 0
        try:
            raw = await self.redis.lrange(OUTBOX_KEY, 0, self.batch - 1)
            if not raw:
                return 0
            entries = [Entry.parse(r) for r in raw]
            notices = [n for n in (e.outbid_notice() for e in entries) if n is not None]
            await run_in_threadpool(self._send, entries, notices)
            await self._mirror(entries)
            await self.redis.ltrim(OUTBOX_KEY, len(raw), -1)
            return len(raw)
        finally:
            await self._release(keys=[LOCK_KEY], args=[token])

    def _send(self, entries: list[Entry], notices: list[Notice]) -> None:
        self.queues.send_bids([e.bid for e in entries])
        if notices:
            self.queues.send_notices(notices)

    async def _mirror(self, entries: list[Entry]) -> None:
        """Write each auction's newest bid into ``auctions``; move the close when extended."""
        newest: dict[str, Entry] = {}
        extended: set[str] = set()
        for entry in entries:
            newest[entry.bid.auction_id] = entry
            if entry.extended:
                extended.add(entry.bid.auction_id)
        for auction_id, entry in newest.items():
            end = from_us(entry.end_us)
            for attempt in range(1, MIRROR_ATTEMPTS + 1):
                try:
                    events = await self.engine.mirror(
                        auction_id, Decimal(entry.bid.amount),
                        entry.bid.user_id, end, entry.bid.sequence)
                    if auction_id in extended and events:
                        await self.engine.schedule_close(auction_id, end, self.close_webhook,
                                                         previous=events[0])
                    break
                except (EngineCallError, httpx.HTTPError, ValueError) as exc:
                    # The mirror is a view (closing reads Redis) and its update is conditional
                    # on a lower price, so writing it again is safe: a passing failure is
                    # retried, since the auction's last bid has no next bid to repair it.
                    logger.warning("mirroring auction %s failed (attempt %d of %d): %s",
                                   auction_id, attempt, MIRROR_ATTEMPTS, exc)
                    if isinstance(exc, ValueError) or attempt == MIRROR_ATTEMPTS:
                        break
                    await asyncio.sleep(0.2 * 2 ** (attempt - 1))
