"""Unexpired posts, newest first, read through the engine as the anonymous role.

No credentials are sent, so the engine answers with the anonymous permissions: expired
posts are filtered out in SQL by the row filter on ``expires_at``, whatever the caller asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.engine_client import AsyncEngineClient

PAGE_SIZE = 100
"""Posts per cached entry; also the anonymous role's row limit on ``posts``."""

QUERY = """
query TimelinePage($where: posts_bool_exp!, $limit: Int!) {
  posts(where: $where, order_by: [{created_at: desc}, {id: desc}], limit: $limit) {
    id author_id text lifetime created_at expires_at
  }
}
"""


@dataclass(frozen=True)
class Post:
    """A post as the timeline serves it (timestamps as the engine spells them)."""

    id: str
    author_id: str
    text: str
    lifetime: str
    created_at: str
    expires_at: str

    @property
    def expires(self) -> datetime:
        """``expires_at`` as an aware datetime."""
        return datetime.fromisoformat(self.expires_at)

    def as_json(self) -> dict[str, Any]:
        """The post as the action returns it."""
        return {"id": self.id, "author_id": self.author_id, "text": self.text,
                "lifetime": self.lifetime, "created_at": self.created_at,
                "expires_at": self.expires_at}


class PostReader:
    """Reads pages of posts from the engine, as the anonymous role."""

    def __init__(self, client: AsyncEngineClient) -> None:
        self.client = client

    async def page(self, before: datetime | None, limit: int = PAGE_SIZE) -> list[Post]:
        """Up to ``limit`` unexpired posts created before ``before`` (all when None)."""
        where: dict[str, Any] = {} if before is None else {
            "created_at": {"_lt": before.isoformat()}}
        data = await self.client.data(QUERY, {"where": where, "limit": limit})
        return [Post(**row) for row in data["posts"]]

    async def close(self) -> None:
        """Close the engine client."""
        await self.client.close()
