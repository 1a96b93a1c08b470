from __future__ import annotations

import json
from datetime import UTC, datetime

from passlib.hash import bcrypt, sha512_crypt

from legacy.producer.records import LegacyRow, Record, SkipReason, to_record, version_of

UPDATED = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def _row(email: str, password_hash: str) -> LegacyRow:
    return LegacyRow(7, email, "ada", "Ada Lovelace", password_hash, UPDATED)


def test_to_record_keys_by_lower_cased_email_and_carries_the_version() -> None:
    """GIVEN a row with a mixed-case email and a sha512_crypt hash WHEN turned into a record.

    THEN the key and the email are lower-cased, the scheme is named, the version is
    ``updated_at`` in microseconds.
    """
    stored = sha512_crypt.using(rounds=1000).hash("Goto-1968x")
    record = to_record(_row("  Ada.Lovelace@Example.COM ", stored))

    assert isinstance(record, Record)
    assert record.key == b"ada.lovelace@example.com"
    value = json.loads(record.value)
    assert value["email"] == "ada.lovelace@example.com"
    assert value["scheme"] == "sha512_crypt"
    assert value["password_hash"] == stored
    assert value["profile"] == {"name": "Ada Lovelace", "username": "ada"}
    assert value["version"] == version_of(UPDATED) == 1767323045678901


def test_to_record_skips_an_invalid_email_and_an_unsupported_scheme() -> None:
    """GIVEN a row without a valid email, and one with an unsalted MD5 WHEN turned into records.

    THEN each is skipped with its reason.
    """
    good_hash = bcrypt.using(rounds=4).hash("x")
    assert to_record(_row("not-an-email", good_hash)) is SkipReason.INVALID_EMAIL
    assert to_record(_row("a@b@example.com", good_hash)) is SkipReason.INVALID_EMAIL
    assert to_record(_row("old@example.com", "5f4dcc3b5aa765d61d8327deb882cf99")) \
        is SkipReason.UNSUPPORTED_SCHEME
