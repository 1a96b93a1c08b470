"""One mapping's poller: receive a batch, invoke the function, delete what succeeded.

What Lambda's SQS event source does, and what this keeps:
- at most ``batch_size`` records per invocation, in the queue's order (moto keeps a FIFO
  message group locked while any of its messages is in flight, as SQS does);
- a record the function reports in ``batchItemFailures`` (or every record, when the
  function raised) is not deleted: it comes back once the queue's visibility timeout
  has passed, and after ``maxReceiveCount`` receives the queue's redrive policy moves it
  to the dead-letter queue (moto does the move on receive, as SQS does);
- records are handed over in Lambda's event shape (``Records`` with ``messageId``,
  ``receiptHandle``, ``body``, ``attributes``, ``eventSourceARN``, ...).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from devstack.event_sources.config import EventSourceMapping

logger = logging.getLogger("devstack.event_sources")


@dataclass
class MappingStats:
    """Counters of one mapping (served at ``/stats``)."""

    received: int = 0
    deleted: int = 0
    failed: int = 0
    invocations: int = 0
    errors: int = 0
    last_batch_at: float | None = None
    in_flight: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def sqs_event(records: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """Lambda's SQS event for received messages."""
    return {"Records": [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m.get("MD5OfBody") or hashlib.md5(  # noqa: S324 - SQS's checksum
                m["Body"].encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        for m in records
    ]}


def failed_ids(result: Any, records: list[dict[str, Any]], reports_failures: bool) -> set[str]:
    """Message ids to keep (not delete) after an invocation answered ``result``."""
    every = {m["MessageId"] for m in records}
    if not reports_failures:
        return set()
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    failures = result.get("batchItemFailures") or []
    ids = set()
    for failure in failures:
        ident = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not ident or ident not in every:
            return every  # Lambda treats a malformed report as the whole batch failing
        ids.add(ident)
    return ids


class QueuePoller:
    """Polls one queue for one function in a thread until stopped."""

    def __init__(self, mapping: EventSourceMapping, sqs: Any, lambdas: Any, region: str) -> None:
        self.mapping = mapping
        self.sqs = sqs
        self.lambdas = lambdas
        self.region = region
        self.stats = MappingStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._url: str | None = None
        self._arn = ""

    def start(self) -> None:
        """Start the polling thread."""
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"poll-{self.mapping.queue_name}")
        self._thread.start()

    def stop(self) -> None:
        """Stop after the batch in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.mapping.wait_seconds + 35)

    def _resolve(self) -> str:
        if self._url is None:
            url = self.sqs.get_queue_url(QueueName=self.mapping.queue_name)["QueueUrl"]
            self._arn = self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self._url = url
        return self._url

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # the queue or the runtime is not up yet: try again
                self.stats.errors += 1
                logger.warning("%s → %s: %s", self.mapping.queue_name,
                               self.mapping.function_name, exc)
                self._stop.wait(1.0)

    def poll_once(self) -> int:
        """One receive → invoke → delete round; returns the records handed over."""
        url = self._resolve()
        answer = self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=self.mapping.batch_size,
            WaitTimeSeconds=self.mapping.wait_seconds, AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        records = answer.get("Messages", [])
        if not records:
            return 0
        self.stats.received += len(records)
        self.stats.in_flight = len(records)
        self.stats.last_batch_at = time.time()
        keep = self._invoke(records)
        done = [m for m in records if m["MessageId"] not in keep]
        if done:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)
            ])
        self.stats.deleted += len(done)
        self.stats.failed += len(keep)
        self.stats.in_flight = 0
        return len(records)

    def _invoke(self, records: list[dict[str, Any]]) -> set[str]:
        event = sqs_event(records, self._arn, self.region)
        self.stats.invocations += 1
        answer = self.lambdas.invoke(FunctionName=self.mapping.function_name,
                                     InvocationType="RequestResponse",
                                     Payload=json.dumps(event).encode())
        raw = answer["Payload"].read()
        if answer.get("FunctionError"):
            logger.warning("%s failed on a batch of %d: %s", self.mapping.function_name,
                           len(records), raw[:300])
            return {m["MessageId"] for m in records}
        result = json.loads(raw) if raw else None
        return failed_ids(result, records, self.mapping.report_batch_item_failures)
