"""One producer run: read legacy users in batches, send each as a record, checkpoint, count."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer

from legacy.producer import checkpoint as checkpoints
from legacy.producer.connection import KafkaConnection
from legacy.producer.records import TOPIC, Record, SkipReason, to_record
from legacy.producer.source import count_after, read_batches


@dataclass(frozen=True)
class ProducerSettings:
    """What one run reads, where it sends, and where it keeps its checkpoint."""

    database_url: str = field(repr=False)
    kafka: KafkaConnection
    checkpoint_path: Path
    topic: str = TOPIC
    batch_size: int = 500
    from_start: bool = False

    @property
    def source(self) -> str:
        """Identifies the (database, topic) pair a checkpoint belongs to, without secrets."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.database_url)
        return f"{parts.hostname}:{parts.port}{parts.path} -> {self.topic}"


@dataclass
class Counts:
    """What a run did: rows read, records sent, rows skipped (by reason)."""

    read: int = 0
    sent: int = 0
    skipped: Counter[SkipReason] = field(default_factory=Counter)
    total: int = 0
    """Rows to read when the run started (after the checkpoint)."""
    seconds: float = 0.0

    @property
    def skipped_total(self) -> int:
        """Rows skipped for any reason."""
        return sum(self.skipped.values())

    def summary(self) -> str:
        """One line for a person."""
        reasons = ", ".join(f"{r.value}: {n}" for r, n in sorted(
            self.skipped.items(), key=lambda item: item[0].value))
        rate = self.read / self.seconds if self.seconds > 0 else 0.0
        return (f"read {self.read}, sent {self.sent}, skipped {self.skipped_total}"
                + (f" ({reasons})" if reasons else "")
                + f" in {self.seconds:.1f} s ({rate:,.0f} users/s)")


Progress = Callable[[Counts], None]


def new_producer(kafka: KafkaConnection) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica and never reorders a key's records."""
    return AIOKafkaProducer(
        **kafka.client_options(), acks="all", linger_ms=5,
        max_batch_size=256 * 1024, request_timeout_ms=30_000,
    )


async def produce(settings: ProducerSettings, progress: Progress | None = None) -> Counts:
    """Send every legacy user after the checkpoint; returns the counts.

    The checkpoint moves only after the broker acknowledged a whole batch, so an
    interrupted run loses nothing and resumes where it stopped.
    """
    started = time.monotonic()
    resume = checkpoints.Checkpoint(settings.source) if settings.from_start else \
        checkpoints.load(settings.checkpoint_path, settings.source)
    counts = Counts(total=await count_after(settings.database_url, resume.last_id))
    producer = new_producer(settings.kafka)
    await producer.start()
    try:
        async for rows in read_batches(settings.database_url, resume.last_id,
                                       settings.batch_size):
            records: list[Record] = []
            for row in rows:
                outcome = to_record(row)
                if isinstance(outcome, SkipReason):
                    counts.skipped[outcome] += 1
                else:
                    records.append(outcome)
            pending = [await producer.send(settings.topic, key=r.key, value=r.value)
                       for r in records]
            await asyncio.gather(*pending)  # every record of the batch acknowledged
            counts.read += len(rows)
            counts.sent += len(records)
            checkpoints.save(settings.checkpoint_path,
                             checkpoints.Checkpoint(settings.source, rows[-1].id))
            counts.seconds = time.monotonic() - started
            if progress:
                progress(counts)
    finally:
        await producer.stop()
    counts.seconds = time.monotonic() - started
    return counts
