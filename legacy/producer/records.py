"""One legacy row → one Kafka record, or the reason it is skipped.

The record is keyed by the lower-cased email, so every version of one user lands in one
partition in order, and its value carries a ``version`` (``updated_at`` in microseconds)
that the loader compares so an older record never overwrites a newer one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

import orjson

from lambdas.user_migration.passwords import identify_scheme

TOPIC = "legacy-user-hashes"
RECORD_FORMAT = 1
"""Bumped when the record's fields change incompatibly (the loader checks it)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EMAIL_MAX = 254


class SkipReason(Enum):
    """Why a legacy row is not sent."""

    INVALID_EMAIL = "invalid email"
    UNSUPPORTED_SCHEME = "unsupported hash scheme"


@dataclass(frozen=True)
class LegacyRow:
    """The columns the producer reads from ``users``."""

    id: int
    email: str
    username: str | None
    full_name: str | None
    password_hash: str
    updated_at: datetime


@dataclass(frozen=True)
class Record:
    """A Kafka record ready to send."""

    key: bytes
    value: bytes


def normalise_email(email: str) -> str | None:
    """The lower-cased, trimmed email, or None when it is not a plausible address."""
    cleaned = email.strip().lower()
    if len(cleaned) > _EMAIL_MAX or not _EMAIL.match(cleaned):
        return None
    return cleaned


def version_of(updated_at: datetime) -> int:
    """The record version: ``updated_at`` as integer microseconds since the epoch (UTC)."""
    moment = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def to_record(row: LegacyRow) -> Record | SkipReason:
    """The record for ``row``, or why it is skipped."""
    email = normalise_email(row.email)
    if email is None:
        return SkipReason.INVALID_EMAIL
    scheme = identify_scheme(row.password_hash)
    if scheme is None:
        return SkipReason.UNSUPPORTED_SCHEME
    value = {
        "format": RECORD_FORMAT,
        "email": email,
        "password_hash": row.password_hash,
        "scheme": scheme,
        "profile": {"name": row.full_name or "", "username": row.username or ""},
        "legacy_id": row.id,
        "version": version_of(row.updated_at),
    }
    return Record(key=email.encode(), value=orjson.dumps(value))
