"""Legacy users staged in DynamoDB (``StandaloneUserHashes``, partition key ``email``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

HASH_ATTRIBUTES = ("password_hash", "hash")
"""Where the loader put the hash (its first version wrote ``hash``)."""


@dataclass(frozen=True)
class LegacyUser:
    """One staged user; ``password_hash`` never appears in ``repr`` (so never in a log)."""

    email: str
    name: str
    password_hash: str = field(repr=False)


def parse_item(item: dict[str, Any]) -> LegacyUser | None:
    """A user from a DynamoDB item (resource-style, plain values), None without a hash."""
    email = str(item.get("email", ""))
    stored = next((str(item[k]) for k in HASH_ATTRIBUTES if item.get(k)), "")
    if not email or not stored:
        return None
    profile = item.get("profile")
    name = item.get("name") or (profile.get("name") if isinstance(profile, dict) else None)
    return LegacyUser(email=email, name=str(name or email.split("@", 1)[0]),
                      password_hash=stored)


class LegacyUserStore:
    """Reads staged users from the table (a boto3 DynamoDB Table resource)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def find(self, email: str) -> LegacyUser | None:
        """The staged user with this email (emails are stored lower-cased), or None."""
        response = self.table.get_item(Key={"email": email.strip().lower()},
                                       ConsistentRead=True)
        item = response.get("Item")
        return parse_item(item) if item else None

    def mark_migrated(self, email: str) -> None:
        """Remove the staged hash once Cognito has the user, and remember that it moved.

        The item stays as a tombstone (``migrated_at``, the last ``version``), so a replayed
        or late record never stages the old hash again (see the loader's condition).
        """
        self.table.update_item(
            Key={"email": email.strip().lower()},
            UpdateExpression="REMOVE password_hash, #legacy_hash SET migrated_at = :now",
            ExpressionAttributeNames={"#legacy_hash": "hash"},
            ExpressionAttributeValues={":now": int(time.time())},
        )
