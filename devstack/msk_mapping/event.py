"""The event Lambda's MSK event source mapping sends: base64 records per topic-partition."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition

EVENT_SOURCE = "aws:kafka"
_TIMESTAMP_TYPES = {0: "CREATE_TIME", 1: "LOG_APPEND_TIME"}


def _b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode()


def record_json(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    """One record as MSK sends it (key and value base64, header values as byte arrays)."""
    entry: dict[str, Any] = {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp": record.timestamp,
        "timestampType": _TIMESTAMP_TYPES.get(record.timestamp_type, "CREATE_TIME"),
        "value": _b64(record.value) or "",
        "headers": [{k: list(v)} for k, v in record.headers],
    }
    if record.key is not None:
        entry["key"] = _b64(record.key)
    return entry


def msk_event(batch: Mapping[TopicPartition, Sequence[ConsumerRecord[bytes, bytes]]],
              event_source_arn: str, bootstrap_servers: str) -> dict[str, Any]:
    """The whole event: ``records`` keyed ``<topic>-<partition>``, in offset order."""
    return {
        "eventSource": EVENT_SOURCE,
        "eventSourceArn": event_source_arn,
        "bootstrapServers": bootstrap_servers,
        "records": {
            f"{tp.topic}-{tp.partition}": [record_json(r) for r in records]
            for tp, records in sorted(batch.items()) if records
        },
    }


def batch_info(batch: Mapping[TopicPartition, Sequence[ConsumerRecord[bytes, bytes]]],
               event_source_arn: str, bootstrap_servers: str,
               payload_size: int) -> dict[str, Any]:
    """``KafkaBatchInfo`` of an on-failure record: which offsets the failed batch held."""
    return {
        "batchSize": sum(len(r) for r in batch.values()),
        "eventSourceArn": event_source_arn,
        "bootstrapServers": bootstrap_servers,
        "payloadSize": payload_size,
        "recordsInfo": {
            f"{tp.topic}-{tp.partition}": {
                "firstRecordOffset": str(records[0].offset),
                "firstRecordTimestamp": str(records[0].timestamp),
                "lastRecordOffset": str(records[-1].offset),
                "lastRecordTimestamp": str(records[-1].timestamp),
            } for tp, records in sorted(batch.items()) if records
        },
    }
