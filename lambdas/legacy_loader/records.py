"""A producer record parsed and checked, or the reason it is malformed.

The record is what ``legacy.producer.records`` sends: key = lower-cased email, value =
``{"format": 1, "email", "password_hash", "scheme", "profile": {"name", "username"},
"legacy_id", "version"}``.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEventRecord

RECORD_FORMAT = 1


@dataclass(frozen=True)
class StagedUser:
    """A legacy user to stage; ``password_hash`` never appears in ``repr`` (nor in a log)."""

    email: str
    password_hash: str = field(repr=False)
    scheme: str
    name: str
    username: str
    legacy_id: int
    version: int


@dataclass(frozen=True)
class Malformed:
    """A record that cannot be staged, and where it came from (for the dead-letter queue)."""

    reason: str
    topic: str
    partition: int
    offset: int
    raw_value: str = field(repr=False)
    """The value as it came (base64), so an operator can fix and replay it."""


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def _integer(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer")
    return value


def parse(record: KafkaEventRecord) -> StagedUser | Malformed:
    """The user a record carries, or why it is malformed."""
    try:
        key = (record.decoded_key or b"").decode()
        value = json.loads(record.decoded_value)
        if not isinstance(value, dict):
            raise ValueError("the value is not a JSON object")
        if value.get("format") != RECORD_FORMAT:
            raise ValueError(f"unknown record format {value.get('format')!r}")
        email = _text(value.get("email"), "email")
        if email != email.strip().lower() or email != key:
            raise ValueError("the email is not the record's lower-cased key")
        profile = value.get("profile") or {}
        if not isinstance(profile, dict):
            raise ValueError("profile must be an object")
        return StagedUser(
            email=email,
            password_hash=_text(value.get("password_hash"), "password_hash"),
            scheme=_text(value.get("scheme"), "scheme"),
            name=str(profile.get("name") or ""),
            username=str(profile.get("username") or ""),
            legacy_id=_integer(value.get("legacy_id"), "legacy_id"),
            version=_integer(value.get("version"), "version"),
        )
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        return Malformed(str(exc), record.topic, record.partition, record.offset,
                         record.value)
