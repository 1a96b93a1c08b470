"""The legacy pipe in the local stack (seed 002).

The ``legacy`` database (migrated, demo users seeded), the Kafka broker standing in for
MSK with topic ``legacy-user-hashes``, and the MSK mapping that feeds the loader Lambda.
The producer is run by hand: ``devstack legacy produce``.
"""

from __future__ import annotations

import contextlib
import os

from devstack.services.kafka import KafkaService, ensure_topic
from devstack.services.moto import LEGACY_LOADER_DLQ, MotoService, client
from devstack.services.msk_mapping import MskMappingService
from devstack.services.postgres import PostgresService, create_database
from devstack.settings import StackSettings
from devstack.stack import Service, Step

LEGACY_DATABASE = "legacy"
LOADER_FUNCTION = "legacy_loader"
LOADER_GROUP = "legacy-loader"


def legacy_database_url(settings: StackSettings) -> str | None:
    """``LEGACY_DATABASE_URL``, else the local cluster's ``legacy`` database.

    None when the app database is external (``DATABASE_URL``) and no legacy URL is set.
    """
    explicit = os.environ.get("LEGACY_DATABASE_URL")
    if explicit:
        return explicit
    if settings.database_url:
        return None
    return PostgresService(settings).server.url(LEGACY_DATABASE)


def loader_mapping_environment(settings: StackSettings) -> dict[str, str]:
    """The AWS settings (moto) and the dead-letter queue as the mapping's on-failure destination."""
    moto = MotoService(settings)
    with contextlib.closing(client("sqs", moto.url(), settings.aws_region)) as sqs:
        queue_url = sqs.get_queue_url(QueueName=LEGACY_LOADER_DLQ)["QueueUrl"]
    return {**moto.aws_environment(), "MSK_MAPPING_ON_FAILURE_QUEUE_URL": str(queue_url)}


def legacy_stack(settings: StackSettings, postgres: PostgresService) -> list[Service | Step]:
    """The legacy entries, to start once the Lambda runtime and moto are up."""
    from legacy.database import migrate, seed_demo_users
    from legacy.producer.records import TOPIC

    kafka = KafkaService(settings)

    def database() -> str:
        url = legacy_database_url(settings)
        if url is None:
            return "skipped (DATABASE_URL is external and LEGACY_DATABASE_URL is not set)"
        if not settings.database_url and not os.environ.get("LEGACY_DATABASE_URL"):
            create_database(postgres.server, LEGACY_DATABASE)
        applied = migrate(url)
        added = seed_demo_users(url)
        return f"{applied} migration(s) applied, {added} demo user(s) added"

    def topic() -> str:
        created = ensure_topic(kafka.broker.bootstrap_servers, TOPIC)
        return f"{TOPIC} {'created' if created else 'exists'}"

    mapping = MskMappingService(
        settings, "msk-mapping", topic=TOPIC, function=LOADER_FUNCTION, group_id=LOADER_GROUP,
        environment=lambda: loader_mapping_environment(settings))
    return [Step("legacy-database", database), kafka, Step("kafka-topic", topic), mapping]
