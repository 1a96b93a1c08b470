"""The local broker speaks enough Kafka for the legacy pipe, with the client the pipe uses.

Produce with keys, consume in a consumer group, commit offsets, and a new member of the
group resumes after the committed offsets (what the local MSK mapping relies on).
Group joins are slow on this broker (each JoinGroup is answered after ~3 s, and its first
generation is 0, so aiokafka's first member never sends LeaveGroup and the next one waits
for its session timeout): the short timeouts below keep this test near 10 s.
"""

from __future__ import annotations

import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack.services.kafka import KafkaBroker, answers_kafka, ensure_topic_async


async def _consume(broker: KafkaBroker, topic: str, group: str, wanted: int,
                   commit: bool) -> list[tuple[int, int, bytes]]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap_servers,
                                group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest", session_timeout_ms=6000,
                                rebalance_timeout_ms=2000, heartbeat_interval_ms=500)
    await consumer.start()
    seen: list[tuple[int, int, bytes]] = []
    try:
        for _ in range(40):
            if len(seen) >= wanted:
                break
            batch = await consumer.getmany(timeout_ms=250, max_records=wanted - len(seen))
            for records in batch.values():
                seen += [(r.partition, r.offset, r.key) for r in records]
            if commit and batch:
                await consumer.commit()
    finally:
        await consumer.stop()
    return seen


async def test_kafka_broker_keeps_consumer_group_offsets(kafka_broker: KafkaBroker) -> None:
    """GIVEN 30 keyed records on a 3-partition topic WHEN a group member reads and commits.

    20 and stops THEN a new member of the group gets exactly the other 10, and the records of
    one key all sit in one partition.
    """
    assert answers_kafka(kafka_broker.port)
    topic = f"t-{uuid.uuid4().hex[:8]}"
    assert await ensure_topic_async(kafka_broker.bootstrap_servers, topic, partitions=3) is True
    assert await ensure_topic_async(kafka_broker.bootstrap_servers, topic, partitions=3) is False
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for i in range(30):
            await producer.send_and_wait(topic, key=f"user{i % 5}".encode(), value=b"{}")
    finally:
        await producer.stop()

    first = await _consume(kafka_broker, topic, "g", 20, commit=True)
    rest = await _consume(kafka_broker, topic, "g", 30, commit=True)

    assert len(first) == 20
    assert len(rest) == 10
    assert not {(p, o) for p, o, _ in first} & {(p, o) for p, o, _ in rest}
    partitions_of_key: dict[bytes, set[int]] = {}
    for partition, _offset, key in first + rest:
        partitions_of_key.setdefault(key, set()).add(partition)
    assert all(len(p) == 1 for p in partitions_of_key.values())
