"""Migrate N legacy users from PostgreSQL to DynamoDB and report users/s per stage.

Starts its own servers through devstack's classes (PostgreSQL, the Tansu broker, moto, the
Lambda Invoke API running the real loader) and runs, side by side in one process:

1. **produce**: the producer alone, legacy database → topic (acknowledged by the broker);
2. **load**: the MSK mapping alone on that full topic → loader Lambda → DynamoDB;
3. **end to end**: a fresh topic and an empty table, the mapping already running, then the
   producer; timed from the producer's start until the loader has staged every user.

The users' hashes are precomputed (one per scheme, cycled): the pipe never verifies them,
so hashing 10,000 bcrypt/Argon2 passwords would only time the seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import psutil
import psycopg

from devstack.msk_mapping.mapping import MappingConfig, MskEventSourceMapping
from devstack.paths import REPO_ROOT
from devstack.ports import free_port
from devstack.services.kafka import KafkaBroker, ensure_topic_async
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import LEGACY_HASHES_TABLE, MotoService, create_resources
from devstack.services.postgres import PostgresServer, create_database
from devstack.settings import StackSettings
from legacy.database import migrate
from legacy.demo_users import DEMO_USERS
from legacy.producer.connection import KafkaConnection
from legacy.producer.run import Counts, ProducerSettings, produce

RESULTS = REPO_ROOT / "bench" / "results" / "legacy.json"


def seed(database_url: str, users: int) -> None:
    """``users`` rows with valid emails and supported hashes (COPY, one transaction)."""
    hashes = [u.password_hash() for u in DEMO_USERS[:5]]
    with psycopg.connect(database_url) as conn, conn.cursor() as cur, cur.copy(
            "COPY users (email, username, full_name, password_hash) FROM STDIN") as copy:
        for i in range(users):
            copy.write_row((f"user{i:06d}@example.com", f"user{i}", f"User {i}",
                            hashes[i % len(hashes)]))


def reset_table(dynamodb: Any) -> None:
    """An empty ``StandaloneUserHashes`` (moto: delete and create again)."""
    dynamodb.delete_table(TableName=LEGACY_HASHES_TABLE)
    dynamodb.create_table(
        TableName=LEGACY_HASHES_TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "email", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "email", "AttributeType": "S"}])


def staged(dynamodb: Any) -> int:
    """Items in the table (a counting scan)."""
    total, start = 0, None
    while True:
        page = dynamodb.scan(TableName=LEGACY_HASHES_TABLE, Select="COUNT",
                             **({"ExclusiveStartKey": start} if start else {}))
        total += int(page["Count"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return total


async def wait_loaded(mapping: MskEventSourceMapping, users: int, label: str,
                      task: asyncio.Task[None]) -> None:
    """Return once ``mapping`` delivered ``users`` records, printing progress."""
    last = 0
    while mapping.stats.records < users and not task.done():
        mapping.delivered.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(mapping.delivered.wait(), 5)
        if mapping.stats.records - last >= 2000 or mapping.stats.records >= users:
            last = mapping.stats.records
            print(f"  {label}: {last}/{users} records loaded", flush=True)


async def run_mapping(config: MappingConfig, users: int, label: str,
                      during: Any = None) -> tuple[MskEventSourceMapping, float, Any]:
    """Start a mapping, wait until it has its partitions, then time it loading ``users``.

    ``during`` (a coroutine, the producer) starts with the clock; its result is returned.
    """
    mapping = MskEventSourceMapping(config)
    stop = asyncio.Event()
    task = asyncio.create_task(mapping.run(stop))
    await mapping.assigned.wait()  # the group join (~3 s on this broker) is not timed
    started = time.monotonic()
    side = asyncio.create_task(during) if during is not None else None
    await wait_loaded(mapping, users, label, task)
    elapsed = time.monotonic() - started
    stop.set()
    await task
    return mapping, elapsed, (await side if side is not None else None)


def stage(users: int, seconds: float, **extra: Any) -> dict[str, Any]:
    """One stage's numbers."""
    return {"users": users, "seconds": round(seconds, 3),
            "users_per_s": round(users / seconds, 1) if seconds else None, **extra}


async def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """Start the servers, run the three stages, stop everything."""
    pg = PostgresServer(root / "postgres", free_port())
    pg.start(root / "logs" / "postgres.log", root / "pids" / "postgres.pid", fsync=False)
    broker = KafkaBroker(root / "kafka", free_port())
    settings = dataclasses.replace(StackSettings.load(), state_dir=root, moto_port=free_port(),
                                   lambda_port=free_port())
    moto = MotoService(settings)
    runtime: LambdaRuntimeService | None = None
    try:
        broker.start(root / "logs" / "kafka.log", root / "pids" / "kafka.pid")
        moto.start()
        made = create_resources(moto.url(), settings.aws_region, "bench-secret")
        runtime = LambdaRuntimeService(settings, common_environment={
            **moto.aws_environment(), "USER_HASHES_TABLE": made.legacy_hashes_table,
            "LOADER_DLQ_URL": made.loader_dlq_url})
        runtime.start()
        create_database(pg, "legacy")
        url = pg.url("legacy")
        migrate(url)
        print(f"seeding {args.users} legacy users", flush=True)
        seed(url, args.users)
        env = moto.aws_environment()
        dynamodb = boto3.client("dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"],
                                region_name=env["AWS_REGION"],
                                aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])

        async def producer(topic: str) -> ProducerSettings:
            await ensure_topic_async(broker.bootstrap_servers, topic)
            return ProducerSettings(database_url=url,
                                    kafka=KafkaConnection(broker.bootstrap_servers),
                                    checkpoint_path=root / f"{topic}.checkpoint",
                                    topic=topic, batch_size=args.batch_size)

        def mapping(topic: str) -> MappingConfig:
            return MappingConfig(bootstrap_servers=broker.bootstrap_servers, topic=topic,
                                 function_name="legacy_loader", lambda_endpoint=runtime.url(),
                                 group_id=f"bench-{topic}", batch_size=100,
                                 batching_window=0.5, session_timeout_ms=6000)

        def progress(counts: Counts) -> None:
            if counts.read % 2000 < args.batch_size or counts.read == counts.total:
                print(f"  produce: {counts.summary()}", flush=True)

        print("stage 1: producer → broker", flush=True)
        counts = await produce(await producer("stages"), progress)
        print("stage 2: broker → mapping → loader → DynamoDB", flush=True)
        loaded, load_s, _ = await run_mapping(mapping("stages"), counts.sent, "load")
        loaded_items = staged(dynamodb)

        print("end to end: mapping running, then the producer", flush=True)
        reset_table(dynamodb)
        e2e_mapping, e2e_s, e2e_counts = await run_mapping(
            mapping("end-to-end"), counts.sent, "end to end",
            during=produce(await producer("end-to-end")))
        e2e_items = staged(dynamodb)
        dynamodb.close()
        return {
            "produce": stage(counts.sent, counts.seconds, read=counts.read,
                             skipped=counts.skipped_total),
            "load": stage(loaded.stats.records, load_s, batches=loaded.stats.batches,
                          staged_items=loaded_items,
                          invoke_share=round(loaded.stats.invoke_seconds / load_s, 3)),
            "end_to_end": stage(e2e_mapping.stats.records, e2e_s,
                                producer_seconds=round(e2e_counts.seconds, 3),
                                staged_items=e2e_items,
                                batches=e2e_mapping.stats.batches),
        }
    finally:
        if runtime is not None:
            runtime.stop()
        moto.stop()
        broker.stop()
        pg.stop()


def main() -> None:
    """Parse arguments, run, print and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500, help="producer batch size")
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    load_before = psutil.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-legacy-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        stages = asyncio.run(measure(args, root))
    report: dict[str, Any] = {
        "benchmark": "legacy",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": psutil.cpu_count(), "python": platform.python_version(),
                    "load_before": [round(x, 2) for x in load_before],
                    "load_after": [round(x, 2) for x in psutil.getloadavg()]},
        "parameters": {"users": args.users, "producer_batch": args.batch_size,
                       "mapping_batch": 100},
        "stages": stages,
    }
    for name, numbers in stages.items():
        print(f"{name:>11}: {numbers['users']} users in {numbers['seconds']} s = "
              f"{numbers['users_per_s']} users/s")
    print(f"load average before/after: {report['machine']['load_before']} / "
          f"{report['machine']['load_after']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json}")
