"""Settings of the bid history writer, read once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.config import Environ


@dataclass(frozen=True)
class BidPersistenceSettings:
    """Where bids are kept and for how long."""

    table: str = "bids_history"
    """The DynamoDB table (``DYNAMODB_BIDS_TABLE``)."""
    ttl_days: int = 90
    """Days a bid is kept (``BID_HISTORY_TTL_DAYS``): DynamoDB's TTL drops it after."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> BidPersistenceSettings:
        """Read ``DYNAMODB_BIDS_TABLE`` and ``BID_HISTORY_TTL_DAYS``; both have defaults."""
        read = Environ(env)
        return cls(table=read.text("DYNAMODB_BIDS_TABLE", cls.table),
                   ttl_days=read.integer("BID_HISTORY_TTL_DAYS", cls.ttl_days, minimum=1))
