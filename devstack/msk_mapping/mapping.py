"""The mapping's loop: poll a batch, invoke the function, commit only after it succeeded.

As Lambda does for MSK: records of every assigned partition go in one event, up to
``batch_size`` records or ``batching_window`` seconds, whichever comes first. A failed
invocation (an error answer or ``X-Amz-Function-Error``) is retried with the same batch;
after ``max_retry_attempts`` retries the batch's offsets go to the on-failure destination
(an SQS queue) and the mapping moves on. Without a destination it retries forever, and the
offsets are never committed past a batch that did not succeed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from devstack.msk_mapping.event import batch_info, msk_event

logger = logging.getLogger("devstack.msk_mapping")

Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


@dataclass(frozen=True)
class MappingConfig:
    """One event source mapping (names as in Lambda's ``CreateEventSourceMapping``)."""

    bootstrap_servers: str
    topic: str
    function_name: str
    lambda_endpoint: str
    group_id: str
    batch_size: int = 100
    batching_window: float = 0.5
    max_retry_attempts: int = 2
    session_timeout_ms: int = 10_000
    on_failure_queue_url: str | None = None
    sqs_client: Any = field(default=None, repr=False, compare=False)
    """A boto3 SQS client for the destination (moto locally)."""

    @property
    def event_source_arn(self) -> str:
        """A stand-in for the cluster's ARN (there is no cluster locally)."""
        return f"arn:aws:kafka:local:000000000000:cluster/devstack/{self.topic}"


@dataclass
class MappingStats:
    """What the mapping has done since it started."""

    batches: int = 0
    records: int = 0
    failed_invocations: int = 0
    sent_to_destination: int = 0
    invoke_seconds: float = 0.0
    """Wall time spent waiting for invocations (the rest is polling and committing)."""


class InvocationFailedError(Exception):
    """The function answered with an error (or could not be reached)."""


class MskEventSourceMapping:
    """Consumes ``config.topic`` and feeds ``config.function_name``."""

    def __init__(self, config: MappingConfig) -> None:
        self.config = config
        self.stats = MappingStats()
        self.assigned = asyncio.Event()
        self.delivered = asyncio.Event()
        """Set after each batch that succeeded (a waiter clears it)."""
        self._consumer: AIOKafkaConsumer | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; the batch in hand is finished first."""
        consumer = AIOKafkaConsumer(
            self.config.topic, bootstrap_servers=self.config.bootstrap_servers,
            group_id=self.config.group_id, enable_auto_commit=False,
            auto_offset_reset="earliest",  # starting position TRIM_HORIZON
            max_poll_records=self.config.batch_size,
            session_timeout_ms=self.config.session_timeout_ms,
            heartbeat_interval_ms=max(self.config.session_timeout_ms // 10, 100),
        )
        self._consumer = consumer
        await consumer.start()
        try:
            async with httpx.AsyncClient(base_url=self.config.lambda_endpoint,
                                         timeout=900) as http:
                while not stop.is_set():
                    batch = await self._poll(consumer, stop)
                    if batch and await self._deliver(http, batch, stop):
                        await consumer.commit({tp: records[-1].offset + 1
                                               for tp, records in batch.items()})
        finally:
            await consumer.stop()

    async def _poll(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> Batch:
        batch: Batch = {}
        count = 0
        deadline = time.monotonic() + self.config.batching_window
        while count < self.config.batch_size and not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 and count:
                break
            got = await consumer.getmany(timeout_ms=int(max(remaining, 0.1) * 1000),
                                         max_records=self.config.batch_size - count)
            if consumer.assignment():
                self.assigned.set()
            for tp, records in got.items():
                batch.setdefault(tp, []).extend(records)
                count += len(records)
            if remaining <= 0:
                break
        return batch

    async def _deliver(self, http: httpx.AsyncClient, batch: Batch, stop: asyncio.Event) -> bool:
        """Invoke until success, or until retries run out and the destination has the batch.

        False when asked to stop first: the batch is then left uncommitted, to be read again.
        """
        event = msk_event(batch, self.config.event_source_arn, self.config.bootstrap_servers)
        payload = json.dumps(event).encode()
        attempts = 0
        while True:
            attempts += 1
            started = time.monotonic()
            try:
                await self._invoke(http, payload)
            except InvocationFailedError as exc:
                self.stats.invoke_seconds += time.monotonic() - started
                self.stats.failed_invocations += 1
                logger.warning("invocation %d of a %d-record batch failed: %s", attempts,
                               sum(len(r) for r in batch.values()), exc)
                exhausted = attempts > self.config.max_retry_attempts
                if exhausted and self.config.on_failure_queue_url:
                    await asyncio.to_thread(self._send_to_destination, batch, len(payload),
                                            attempts, str(exc))
                    return True
                if stop.is_set():
                    return False
                await asyncio.sleep(min(0.5 * 2 ** (attempts - 1), 30.0))
                continue
            self.stats.invoke_seconds += time.monotonic() - started
            self.stats.batches += 1
            self.stats.records += sum(len(r) for r in batch.values())
            self.delivered.set()
            return True

    async def _invoke(self, http: httpx.AsyncClient, payload: bytes) -> None:
        path = f"/2015-03-31/functions/{self.config.function_name}/invocations"
        try:
            response = await http.post(path, content=payload,
                                       headers={"Content-Type": "application/json"})
        except httpx.HTTPError as exc:
            raise InvocationFailedError(f"Invoke API unreachable: {exc}") from exc
        if response.status_code != 200:
            raise InvocationFailedError(f"Invoke API answered {response.status_code}")
        if response.headers.get("X-Amz-Function-Error"):
            error = {}
            with contextlib.suppress(ValueError):
                error = response.json()
            raise InvocationFailedError(
                f"{error.get('errorType', 'Unhandled')}: {error.get('errorMessage', '')}")

    def _send_to_destination(self, batch: Batch, payload_size: int, attempts: int,
                             error: str) -> None:
        """The on-failure record Lambda sends for a Kafka batch (offsets, not the records)."""
        body = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:local:000000000000:function:"
                               f"{self.config.function_name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                                "functionError": error[:256]},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "KafkaBatchInfo": batch_info(batch, self.config.event_source_arn,
                                         self.config.bootstrap_servers, payload_size),
        }
        self.config.sqs_client.send_message(QueueUrl=self.config.on_failure_queue_url,
                                              MessageBody=json.dumps(body))
        self.stats.sent_to_destination += 1
        logger.error("batch sent to the on-failure destination after %d attempts", attempts)

