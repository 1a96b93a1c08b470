"""The ``users`` row a confirmed Cognito user gets, and the upsert that writes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

UPSERT_USER = """
mutation UpsertConfirmedUser($user: users_insert_input!) {
  insert_users_one(
    object: $user
    on_conflict: {constraint: users_pkey, update_columns: [email, name]}
  ) {
    id
  }
}
"""
"""An upsert on the primary key: a retried trigger updates the same row instead of failing."""


class GraphQLExecutor(Protocol):
    """Anything that runs a document with variables (the shared GraphQL client)."""

    def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run ``document`` with ``variables``."""


def user_row(username: str, attributes: Mapping[str, str]) -> dict[str, str]:
    """The row for a Cognito user: id = ``sub`` (the username when there is none yet)."""
    email = attributes.get("email", "")
    if not email:
        raise ValueError("the Cognito user has no email attribute")
    name = attributes.get("name") or email.split("@", 1)[0]
    return {"id": attributes.get("sub") or username, "email": email, "name": name}


def save_user(client: GraphQLExecutor, row: dict[str, str]) -> str:
    """Upsert ``row`` into ``users``; returns the stored id."""
    data = client.execute(UPSERT_USER, {"user": row})
    return str(data["insert_users_one"]["id"])
