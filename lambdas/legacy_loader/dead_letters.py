"""Malformed records go to an SQS dead-letter queue, so one bad record never blocks a batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lambdas.legacy_loader.records import Malformed

_SQS_BATCH = 10


class DeadLetters:
    """Sends malformed records to the queue at ``queue_url`` (a boto3 SQS client)."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, records: Sequence[Malformed]) -> None:
        """Send every record; raises when SQS refuses one (the batch is then retried)."""
        for start in range(0, len(records), _SQS_BATCH):
            chunk = records[start:start + _SQS_BATCH]
            response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "MessageBody": json.dumps({
                    "reason": r.reason, "topic": r.topic, "partition": r.partition,
                    "offset": r.offset, "value": r.raw_value,
                })} for i, r in enumerate(chunk)
            ])
            if response.get("Failed"):
                codes = sorted({f.get("Code", "?") for f in response["Failed"]})
                raise RuntimeError(f"the dead-letter queue refused {len(response['Failed'])} "
                                   f"record(s): {', '.join(codes)}")
