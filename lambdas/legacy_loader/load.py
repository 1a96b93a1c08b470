"""One MSK batch: stage every good record, dead-letter every malformed one."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEventRecord

from lambdas.legacy_loader.dead_letters import DeadLetters
from lambdas.legacy_loader.records import Malformed, StagedUser, parse
from lambdas.legacy_loader.staging import HashStaging

WRITERS = 8
"""Concurrent PutItem calls: a batch of 100 is bound by DynamoDB's round trips, not CPU."""


@dataclass
class BatchResult:
    """What one batch did."""

    staged: int = 0
    unchanged: int = 0
    malformed: list[Malformed] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """The Lambda's answer (counts only: no email, no hash)."""
        return {"staged": self.staged, "unchanged": self.unchanged,
                "malformed": len(self.malformed)}


def load_batch(records: Iterable[KafkaEventRecord], staging: HashStaging,
               dead_letters: DeadLetters) -> BatchResult:
    """Stage the batch's users; malformed records go to the dead-letter queue.

    Writes run concurrently: the order does not matter, since each is conditional on the
    version (two records of one email end with the newer one staged, whichever lands
    first). Any DynamoDB or SQS error propagates: the invocation fails and the mapping
    retries the whole batch, which the versioned writes make safe.
    """
    result = BatchResult()
    users: list[StagedUser] = []
    for record in records:
        parsed = parse(record)
        if isinstance(parsed, Malformed):
            result.malformed.append(parsed)
        else:
            users.append(parsed)
    if users:
        with ThreadPoolExecutor(max_workers=min(WRITERS, len(users))) as pool:
            written = list(pool.map(staging.put, users))
        result.staged = sum(written)
        result.unchanged = len(written) - result.staged
    if result.malformed:
        dead_letters.send(result.malformed)
    return result
