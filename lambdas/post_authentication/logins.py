"""Recording a sign-in: ``users.last_login_at``, creating the row for a migrated user."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lambdas.post_confirmation.users import GraphQLExecutor, user_row

RECORD_LOGIN = """
mutation RecordLogin($user: users_insert_input!) {
  insert_users_one(
    object: $user
    on_conflict: {constraint: users_pkey, update_columns: [last_login_at]}
  ) {
    id
    last_login_at
  }
}
"""
"""An upsert: a migrated user never went through post-confirmation, so the row may be new."""


def login_row(username: str, attributes: dict[str, str], now: datetime | None = None
              ) -> dict[str, str]:
    """The user's row with ``last_login_at`` set to ``now`` (UTC)."""
    row = user_row(username, attributes)
    row["last_login_at"] = (now or datetime.now(UTC)).isoformat()
    return row


def record_login(client: GraphQLExecutor, row: dict[str, str]) -> dict[str, Any]:
    """Write the sign-in; returns ``{id, last_login_at}``."""
    data = client.execute(RECORD_LOGIN, {"user": row})
    result: dict[str, Any] = data["insert_users_one"]
    return result
