"""The messages of the auction queues: one shape, written by the bid path, read by Lambdas.

``bid-persistence-queue.fifo`` carries a :class:`BidRecord` per accepted bid (group: the
auction, deduplication: the bid id); ``notification-queue.fifo`` carries a :class:`Notice`
(group: the auction, deduplication: its ``dedup_key``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal

NoticeKind = Literal["OUTBID", "WON", "SOLD", "ENDED"]


class MessageError(ValueError):
    """A queue message that does not have the expected shape (a poison message)."""


def _object(body: str) -> dict[str, Any]:
    """The JSON object of a message body; raises MessageError otherwise."""
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise MessageError(f"not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise MessageError("not an object")
    return raw


def _field(raw: dict[str, Any], name: str, kind: type) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MessageError(f"field {name!r} missing or not a {kind.__name__}")
    return value


@dataclass(frozen=True)
class BidRecord:
    """An accepted bid, in acceptance order within its auction (``sequence``)."""

    auction_id: str
    bid_id: str
    user_id: str
    amount: str
    """Decimal text, two places (``"125.00"``)."""
    sequence: int
    timestamp_us: int
    """Acceptance time in microseconds, strictly increasing within an auction."""

    @property
    def sort_key(self) -> str:
        """``timestamp#user_id`` of ``bids_history`` (zero-padded: sorts as acceptance)."""
        return f"{self.timestamp_us:017d}#{self.user_id}"

    def to_json(self) -> str:
        """The message body."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, body: str) -> BidRecord:
        """Parse a message body; raises MessageError when it is not a bid."""
        raw = _object(body)
        amount = _field(raw, "amount", str)
        try:
            if Decimal(amount) <= 0:
                raise MessageError("amount must be positive")
        except ArithmeticError:
            raise MessageError(f"amount {amount!r} is not a number") from None
        return cls(
            auction_id=_field(raw, "auction_id", str), bid_id=_field(raw, "bid_id", str),
            user_id=_field(raw, "user_id", str), amount=amount,
            sequence=_field(raw, "sequence", int), timestamp_us=_field(raw, "timestamp_us", int),
        )


@dataclass(frozen=True)
class Notice:
    """A notification for one user about one auction."""

    kind: NoticeKind
    user_id: str
    auction_id: str
    amount: str | None
    message: str
    dedup_key: str
    """Unique per notice: a redelivery inserts nothing new."""

    def to_json(self) -> str:
        """The message body."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, body: str) -> Notice:
        """Parse a message body; raises MessageError when it is not a notice."""
        raw = _object(body)
        kind = _field(raw, "kind", str)
        if kind not in ("OUTBID", "WON", "SOLD", "ENDED"):
            raise MessageError(f"unknown notice kind {kind!r}")
        amount = raw.get("amount")
        if amount is not None and not isinstance(amount, str):
            raise MessageError("field 'amount' must be decimal text")
        return cls(
            kind=kind, user_id=_field(raw, "user_id", str),
            auction_id=_field(raw, "auction_id", str), amount=amount,
            message=_field(raw, "message", str), dedup_key=_field(raw, "dedup_key", str),
        )
