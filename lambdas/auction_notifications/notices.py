"""Storing a notice as a ``notifications`` row, and the optional email through SNS."""

from __future__ import annotations

from typing import Any, Protocol

from lambdas.shared.auction_messages import Notice

INSERT_NOTIFICATION = """
mutation InsertNotification($row: notifications_insert_input!) {
  insert_notifications_one(
    object: $row
    on_conflict: {constraint: notifications_dedup_key_key, update_columns: []}
  ) {
    id
  }
}
"""
"""An insert that ignores a repeated ``dedup_key``: a redelivered message adds nothing."""


class GraphQLExecutor(Protocol):
    """Anything that runs a document with variables (the shared GraphQL client)."""

    def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run ``document`` with ``variables``."""


def save_notice(client: GraphQLExecutor, notice: Notice) -> bool:
    """Insert the row; False when the notice was stored before."""
    data = client.execute(INSERT_NOTIFICATION, {"row": {
        "user_id": notice.user_id, "auction_id": notice.auction_id, "kind": notice.kind,
        "amount": notice.amount, "message": notice.message, "dedup_key": notice.dedup_key,
    }})
    return data.get("insert_notifications_one") is not None


def email_notice(sns: Any, topic_arn: str, notice: Notice) -> None:
    """Publish the notice to the SNS topic that emails users (filtered by ``user_id``)."""
    sns.publish(
        TopicArn=topic_arn, Subject=f"Auction {notice.kind.lower()}", Message=notice.message,
        MessageAttributes={"user_id": {"DataType": "String", "StringValue": notice.user_id},
                           "kind": {"DataType": "String", "StringValue": notice.kind}},
    )
