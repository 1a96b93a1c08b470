"""The local MSK mapping against the real broker and the real Lambda Invoke API.

Group joins are slow on this broker: each JoinGroup is answered after ~3 s, and a group's
first generation is 0, so aiokafka's first member never sends LeaveGroup and the next one
waits for its session timeout. The short session timeout keeps this test near 15 s.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable

import boto3
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aws_lambda_powertools.utilities.data_classes.kafka_event import KafkaEvent

from devstack.msk_mapping.event import msk_event
from devstack.msk_mapping.mapping import MappingConfig, MskEventSourceMapping
from devstack.services.kafka import KafkaBroker, ensure_topic_async
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import MotoService


def test_msk_event_reads_back_through_powertools() -> None:
    """GIVEN consumer records of two partitions WHEN shaped as an MSK event THEN Powertools'.

    KafkaEvent gives back each record's topic, partition, offset, key, value and headers.
    """
    def record(partition: int, offset: int, key: bytes | None) -> ConsumerRecord[bytes, bytes]:
        return ConsumerRecord("users", partition, offset, 1764720000000, 0, key,
                              b'{"n": %d}' % offset, None, 3, 8, [("source", b"legacy")])

    tp0, tp1 = TopicPartition("users", 0), TopicPartition("users", 1)
    event = msk_event({tp1: [record(1, 7, None)], tp0: [record(0, 3, b"a@x.io")]},
                      "arn:aws:kafka:local:0:cluster/c", "127.0.0.1:9092")

    assert event["eventSource"] == "aws:kafka"
    assert list(event["records"]) == ["users-0", "users-1"]
    parsed = list(KafkaEvent(event).records)
    assert [(r.topic, r.partition, r.offset) for r in parsed] == [("users", 0, 3), ("users", 1, 7)]
    assert parsed[0].decoded_key == b"a@x.io"
    assert parsed[1].decoded_key is None
    assert parsed[0].json_value == {"n": 3}
    assert parsed[0].decoded_headers == {"source": b"legacy"}
    assert parsed[0].timestamp_type == "CREATE_TIME"


async def _committed(broker: KafkaBroker, group: str, topic: str) -> int | None:
    """The group's committed offset of partition 0 (a manual assignment joins no group)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        found = await consumer.committed(tp)
    finally:
        await consumer.stop()
    return None if found is None or found < 0 else int(found)


async def _run_until(mapping: MskEventSourceMapping,
                     done: Callable[[MskEventSourceMapping], bool]) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(mapping.run(stop))
    for _ in range(600):
        if done(mapping) or task.done():
            break
        await asyncio.sleep(0.1)
    stop.set()
    await task


async def test_mapping_commits_only_after_success_and_then_uses_the_destination(
    kafka_broker: KafkaBroker, lambda_runtime: LambdaRuntimeService, moto_server: MotoService,
) -> None:
    """GIVEN two records and a function that fails WHEN a mapping without destination retries.

    THEN nothing is committed; WHEN a mapping of the same group with an on-failure queue runs
    out of retries THEN it gets the same records again, the queue gets their offsets, and
    the group's offset moves past them.
    """
    topic = f"fail-{uuid.uuid4().hex[:8]}"
    await ensure_topic_async(kafka_broker.bootstrap_servers, topic, partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers)
    await producer.start()
    try:
        for i in range(2):
            await producer.send_and_wait(topic, key=f"k{i}".encode(), value=b"{}")
    finally:
        await producer.stop()
    env = moto_server.aws_environment()
    sqs = boto3.client("sqs", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    queue = sqs.create_queue(QueueName=f"dest-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    base = MappingConfig(
        bootstrap_servers=kafka_broker.bootstrap_servers, topic=topic,
        function_name="no_such_function", lambda_endpoint=lambda_runtime.url(), group_id=topic,
        batching_window=0.2, max_retry_attempts=1, session_timeout_ms=6000)

    failing = MskEventSourceMapping(base)
    await _run_until(failing, lambda m: m.stats.failed_invocations >= 2)
    assert failing.stats.batches == 0
    assert await _committed(kafka_broker, topic, topic) is None

    with_destination = MskEventSourceMapping(MappingConfig(
        **{**base.__dict__, "on_failure_queue_url": queue, "sqs_client": sqs}))
    await _run_until(with_destination, lambda m: m.stats.sent_to_destination >= 1)
    assert await _committed(kafka_broker, topic, topic) == 2
    body = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])
    sqs.close()
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 2
    assert body["KafkaBatchInfo"]["batchSize"] == 2
    assert body["KafkaBatchInfo"]["recordsInfo"][f"{topic}-0"]["firstRecordOffset"] == "0"
    assert body["KafkaBatchInfo"]["recordsInfo"][f"{topic}-0"]["lastRecordOffset"] == "1"
