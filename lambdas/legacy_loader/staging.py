"""Versioned writes to ``StandaloneUserHashes``: a replay or an older record changes nothing.

One conditional ``PutItem`` per user: it writes only when the table has no item for the
email, or an item with a lower version that has not been migrated yet. Once the migration
Lambda has moved the user to Cognito it removes the hash and marks the item
``migrated_at``, and no record, old or new, stages a hash for that user again.
"""

from __future__ import annotations

import time
from typing import Any

from lambdas.legacy_loader.records import StagedUser

CONDITION = "attribute_not_exists(email) OR (attribute_not_exists(migrated_at) AND version < :v)"


class HashStaging:
    """Writes staged users to a DynamoDB table (a boto3 client and the table's name)."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    def put(self, user: StagedUser) -> bool:
        """Stage ``user``; False when the table already holds this or a newer version."""
        item = {
            "email": {"S": user.email},
            "password_hash": {"S": user.password_hash},
            "scheme": {"S": user.scheme},
            "name": {"S": user.name},
            "username": {"S": user.username},
            "legacy_id": {"N": str(user.legacy_id)},
            "version": {"N": str(user.version)},
            "staged_at": {"N": str(int(time.time()))},
        }
        try:
            self.client.put_item(
                TableName=self.table_name, Item=item, ConditionExpression=CONDITION,
                ExpressionAttributeValues={":v": {"N": str(user.version)}},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True
