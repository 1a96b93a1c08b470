"""One MSK batch: stage every good record, dead-letter every malformed one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEventRecord

from lambdas.legacy_loader.dead_letters import DeadLetters
from lambdas.legacy_loader.records import Malformed, parse
from lambdas.legacy_loader.staging import HashStaging


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
    """Stage the batch's users in order; malformed records go to the dead-letter queue.

    Any DynamoDB or SQS error propagates: the invocation fails and the mapping retries the
    whole batch, which the versioned writes make safe.
    """
    result = BatchResult()
    for record in records:
        parsed = parse(record)
        if isinstance(parsed, Malformed):
            result.malformed.append(parsed)
        elif staging.put(parsed):
            result.staged += 1
        else:
            result.unchanged += 1
    if result.malformed:
        dead_letters.send(result.malformed)
    return result
