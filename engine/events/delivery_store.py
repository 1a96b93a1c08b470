"""What a delivery store is: due calls, their outcomes, and how a store records them.

Event triggers (``hdb_catalog.event_log``), cron triggers and one-off scheduled events each
keep their due work in a table of their own; :class:`DeliveryStore` is what the shared
delivery loop (:mod:`engine.events.delivery`) asks of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from engine.events.catalog import Connection
from engine.events.webhook import Attempt, WebhookSpec


@dataclass(frozen=True)
class Delivery:
    """One due call: where to, what, and how the trigger retries."""

    id: Any
    trigger: str
    webhook: WebhookSpec
    body: bytes
    tries: int
    """Attempts made before this one (``delivery_info.current_retry``)."""
    max_retries: int
    retry_interval: float
    timeout: float


@dataclass(frozen=True)
class Outcome:
    """What happened to a delivery, as the store records it."""

    delivery: Delivery
    attempt: Attempt
    request: bytes
    retry_in: float | None
    """Seconds until the next attempt, or None when the delivery is finished."""

    @property
    def delivered(self) -> bool:
        """Whether the webhook accepted it."""
        return self.attempt.ok

    @property
    def failed(self) -> bool:
        """Whether it failed for good (retries exhausted)."""
        return not self.attempt.ok and self.retry_in is None


async def record_outcomes(conn: Connection, update: str, table: str,
                          outcomes: list[Outcome], *update_args: Any) -> None:
    """Run ``update`` and append one invocation-log row per attempt, as one statement.

    ``update`` is the store's data-modifying statement over ``$1..$k`` (``update_args``);
    it runs as a ``WITH`` part of the log insert, so both commit or neither does, in one
    round trip (no BEGIN/COMMIT around two statements). ``table`` is a fixed catalog name
    chosen by the store (event, cron or scheduled-event logs), never input.
    """
    k = len(update_args)
    sql = (f"WITH recorded AS ({update}) "  # noqa: S608 - fixed texts of the stores
           f"INSERT INTO hdb_catalog.{table} (event_id, status, request, response) "
           "SELECT e, s, rq::json, rs::json "
           f"FROM unnest(${k + 1}::uuid[], ${k + 2}::integer[], ${k + 3}::text[], "
           f"${k + 4}::text[]) AS t(e, s, rq, rs)")
    await conn.execute(
        sql,
        *update_args,
        [o.delivery.id for o in outcomes],
        [o.attempt.status for o in outcomes],
        [o.request.decode() for o in outcomes],
        [orjson.dumps(o.attempt.response_log()).decode() for o in outcomes],
    )


class DeliveryStore(Protocol):
    """Where a kind of trigger keeps its due work and its invocation logs."""

    channel: str | None
    """Notification channel announcing new work (None: polling only)."""
    work_table: str
    """The catalog table holding the due work (its statistics are kept fresh by
    :mod:`engine.events.statistics`)."""

    async def fetch(
        self, conn: Connection, limit: int, lock_timeout: float
    ) -> list[Delivery]:
        """Lock and return up to ``limit`` due deliveries."""

    async def record(self, conn: Connection, outcomes: list[Outcome]) -> None:
        """Store the outcomes (state, next retry, invocation logs) and unlock."""

    async def unlock(self, conn: Connection, ids: list[Any]) -> None:
        """Release deliveries this engine locked but will not finish."""

    async def heartbeat(self, conn: Connection, ids: list[Any]) -> None:
        """Renew the locks this engine holds on ``ids`` (still alive, still working)."""


def decide(delivery: Delivery, attempt: Attempt) -> float | None:
    """Seconds until the next attempt (``Retry-After`` wins), or None when finished."""
    if attempt.ok or delivery.tries >= delivery.max_retries:
        return None
    if attempt.retry_after is not None:
        return attempt.retry_after
    return delivery.retry_interval
