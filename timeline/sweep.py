"""The expiry sweep: delete expired posts in batches and say how many.

Expired posts are already invisible (the select permissions filter on ``expires_at``);
the sweep only reclaims their rows, with their replies and likes (``ON DELETE CASCADE``).
Each batch is one query for the ids of the oldest expired posts and one delete of those
ids, through the engine as admin, so a batch is one short transaction and a large backlog
never holds locks for long. A run stops after ``max_batches``; the next run goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from common.engine_client import AsyncEngineClient

logger = logging.getLogger("timeline.sweep")

EXPIRED = """
query ExpiredPosts($limit: Int!) {
  posts(where: {expires_at: {_lte: "now()"}}, order_by: [{expires_at: asc}], limit: $limit) {
    id
  }
}
"""

DELETE = """
mutation DeleteExpiredPosts($ids: [uuid!]!) {
  delete_posts(where: {id: {_in: $ids}, expires_at: {_lte: "now()"}}) { affected_rows }
}
"""


@dataclass(frozen=True)
class SweepReport:
    """What one run did."""

    deleted: int
    batches: int
    batch_size: int
    finished: bool
    """False when the run stopped at ``max_batches`` with expired posts left."""

    def as_json(self) -> dict[str, Any]:
        """The cron handler's answer."""
        return {"deleted": self.deleted, "batches": self.batches,
                "batch_size": self.batch_size, "finished": self.finished}


async def sweep(client: AsyncEngineClient, batch_size: int, max_batches: int) -> SweepReport:
    """Delete expired posts, ``batch_size`` at a time, at most ``max_batches`` batches."""
    deleted = batches = 0
    while batches < max_batches:
        rows = (await client.data(EXPIRED, {"limit": batch_size}))["posts"]
        if not rows:
            return SweepReport(deleted, batches, batch_size, finished=True)
        result = await client.data(DELETE, {"ids": [r["id"] for r in rows]})
        batches += 1
        deleted += int(result["delete_posts"]["affected_rows"])
        logger.info("expired posts: batch %d deleted %d (total %d)", batches,
                    result["delete_posts"]["affected_rows"], deleted)
        if len(rows) < batch_size:
            return SweepReport(deleted, batches, batch_size, finished=True)
    return SweepReport(deleted, batches, batch_size, finished=False)
