"""Seed 002 end to end: legacy database → producer → broker → MSK mapping → loader → DynamoDB.

→ ``login`` through the engine (the user-migration trigger) → Cognito. Every server is real
and on loopback: PostgreSQL, the Kafka-protocol broker, the mapping process, the Lambda
Invoke API running the real handlers, moto, cognito-local, the engine and the action service.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from devstack.msk_mapping.mapping import MappingConfig, MskEventSourceMapping
from devstack.services.cognito import CognitoService, UserPool
from devstack.services.kafka import KafkaBroker, ensure_topic
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import LocalAwsResources, MotoService
from devstack.services.msk_mapping import MskMappingService
from devstack.settings import StackSettings
from legacy.database import migrate, seed_demo_users
from legacy.demo_users import DEMO_USERS
from legacy.producer.connection import KafkaConnection
from legacy.producer.records import TOPIC, SkipReason, normalise_email
from legacy.producer.run import ProducerSettings, produce
from tests.auth.conftest import Client
from tests.auth.flows import LOGIN, error_code
from tests.lambdas.events import cognito_event

STAGED = sorted(e for e in (normalise_email(u.email) for u in DEMO_USERS
                            if u.scheme != "md5_hex") if e)


@pytest.fixture(scope="module")
def legacy_database(create_database: Callable[[str], str]) -> str:
    """The legacy database, migrated, with the README's demo users."""
    url = create_database("legacy")
    migrate(url)
    seed_demo_users(url)
    return url


@pytest.fixture(scope="module")
def loader_mapping(
    auth_settings: StackSettings, kafka_broker: KafkaBroker, moto_server: MotoService,
    aws_local: LocalAwsResources, lambda_runtime: LambdaRuntimeService,
) -> Iterator[MskMappingService]:
    """The stack's mapping process: topic → ``legacy_loader`` through the Invoke API."""
    ensure_topic(kafka_broker.bootstrap_servers, TOPIC)
    service = MskMappingService(
        dataclasses.replace(auth_settings, kafka_port=kafka_broker.port), "msk-mapping",
        topic=TOPIC, function="legacy_loader", group_id="legacy-loader",
        environment=lambda: {**moto_server.aws_environment(),
                             "MSK_MAPPING_ON_FAILURE_QUEUE_URL": aws_local.loader_dlq_url})
    service.start()
    try:
        yield service
    finally:
        service.stop()


class Table:
    def __init__(self, moto: MotoService, name: str) -> None:
        env = moto.aws_environment()
        self.client = boto3.client(
            "dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
            aws_access_key_id="testing", aws_secret_access_key="testing")
        self.name = name

    def item(self, email: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.client.get_item(
            TableName=self.name, Key={"email": {"S": email}}, ConsistentRead=True).get("Item")
        return found

    def items(self) -> dict[str, dict[str, Any] | None]:
        return {email: self.item(email) for email in STAGED}

    def wait_for_all(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.items().values()):
                return
            time.sleep(0.25)
        raise AssertionError(f"not staged in {timeout} s: {self.items()}")


async def _replay(kafka_broker: KafkaBroker, runtime: LambdaRuntimeService,
                  records: int) -> MskEventSourceMapping:
    """A second mapping in a new consumer group: the whole topic goes through the loader again."""
    mapping = MskEventSourceMapping(MappingConfig(
        bootstrap_servers=kafka_broker.bootstrap_servers, topic=TOPIC,
        function_name="legacy_loader", lambda_endpoint=runtime.url(), group_id="replay",
        batching_window=0.2))
    stop = asyncio.Event()
    task = asyncio.create_task(mapping.run(stop))
    deadline = time.monotonic() + 60
    while mapping.stats.records < records and time.monotonic() < deadline:
        mapping.delivered.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(mapping.delivered.wait(), deadline - time.monotonic())
    stop.set()
    await task
    return mapping


def test_legacy_user_moves_from_the_legacy_database_to_cognito(
    legacy_database: str, loader_mapping: MskMappingService, kafka_broker: KafkaBroker,
    moto_server: MotoService, aws_local: LocalAwsResources, lambda_runtime: LambdaRuntimeService,
    cognito_local: CognitoService, user_pool: UserPool, client: Client, tmp_path: Path,
) -> None:
    """GIVEN the demo users in the legacy database WHEN the producer runs THEN the mapping.

    stages every valid one in DynamoDB and a second run sends nothing (checkpoint); the old
    password logs in through the engine and the user is CONFIRMED in Cognito with its staged
    hash gone; the next login goes to Cognito alone; a wrong password is
    ``invalid-credentials``; replaying the topic changes nothing.
    """
    settings = ProducerSettings(
        database_url=legacy_database, kafka=KafkaConnection(kafka_broker.bootstrap_servers),
        checkpoint_path=tmp_path / "checkpoint.json", batch_size=3)
    counts = asyncio.run(produce(settings))
    assert (counts.read, counts.sent) == (7, 5)
    assert counts.skipped == {SkipReason.INVALID_EMAIL: 1, SkipReason.UNSUPPORTED_SCHEME: 1}
    assert asyncio.run(produce(settings)).read == 0

    table = Table(moto_server, aws_local.legacy_hashes_table)
    table.wait_for_all()
    ada = table.item("ada@example.com")
    assert ada is not None
    assert ada["scheme"] == {"S": "bcrypt"}
    assert ada["name"] == {"S": "Ada Lovelace"}

    # The first migrated login runs three Lambdas; start their workers now, so cold starts
    # under a loaded machine do not eat the action's Cognito timeout (answers ignored).
    for name in ("post_authentication", "pre_token_generation"):
        httpx.post(f"{lambda_runtime.url()}/2015-03-31/functions/{name}/invocations",
                   json=cognito_event(name), timeout=60)
    # A wrong password first: the staged hash refuses it, and it stays staged.
    assert error_code(client.run(LOGIN, {"email": "alan@example.com",
                                         "password": "Enigma-1913"})) == "invalid-credentials"
    assert "password_hash" in (table.item("alan@example.com") or {})

    first = client.run(LOGIN, {"email": "ada@example.com", "password": "Lovelace-1843"})
    assert "errors" not in first, first
    assert first["data"]["login"]["id_token"]
    idp = cognito_local.server.client()
    with contextlib.closing(idp):
        user = idp.admin_get_user(UserPoolId=user_pool.pool_id, Username="ada@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    migrated = table.item("ada@example.com")
    assert migrated is not None
    assert "password_hash" not in migrated
    assert "migrated_at" in migrated

    # Nothing is staged for ada any more: only Cognito can accept this login.
    again = client.run(LOGIN, {"email": "ada@example.com", "password": "Lovelace-1843"})
    assert "errors" not in again, again
    assert error_code(client.run(LOGIN, {"email": "ada@example.com",
                                         "password": "Lovelace-1844"})) == "invalid-credentials"

    before = table.items()
    replay = asyncio.run(_replay(kafka_broker, lambda_runtime, len(STAGED)))
    assert replay.stats.records == len(STAGED)
    assert table.items() == before
    assert "errors" not in client.run(LOGIN, {"email": "ada@example.com",
                                              "password": "Lovelace-1843"})
