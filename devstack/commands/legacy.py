"""``devstack legacy``: the legacy database and the producer (seed 002)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click

from devstack.errors import StackError
from devstack.services.legacy import legacy_database_url
from devstack.settings import StackSettings


def _database_url(settings: StackSettings, given: str | None) -> str:
    url = given or legacy_database_url(settings)
    if url is None:
        raise StackError("no legacy database: set LEGACY_DATABASE_URL or pass --database-url")
    return url


@click.group()
def legacy() -> None:
    """The legacy application's users database and the producer that moves them to Cognito."""


@legacy.command("seed")
@click.option("--database-url", envvar="LEGACY_DATABASE_URL", help="The legacy database.")
def seed(database_url: str | None) -> None:
    """Apply the legacy database's migrations and add the demo users (idempotent)."""
    from legacy.database import migrate, seed_demo_users

    url = _database_url(StackSettings.load(), database_url)
    applied = migrate(url)
    added = seed_demo_users(url)
    click.echo(f"{applied} migration(s) applied, {added} demo user(s) added")


@legacy.command("produce")
@click.option("--database-url", envvar="LEGACY_DATABASE_URL",
              help="The legacy database (default: the local cluster's `legacy`).")
@click.option("--bootstrap-servers", envvar="KAFKA_BOOTSTRAP_SERVERS",
              help="Kafka brokers, host:port,... (default: the local broker; on MSK the "
                   "public IAM endpoints, port 9198).")
@click.option("--auth", "auth", envvar="KAFKA_AUTH", default="plaintext", show_default=True,
              type=click.Choice(["plaintext", "msk-iam"]),
              help="msk-iam: SASL/OAUTHBEARER with AWS credentials (MSK IAM access control).")
@click.option("--topic", default="legacy-user-hashes", show_default=True)
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows fetched from the server-side cursor and sent per batch.")
@click.option("--checkpoint", "checkpoint_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Resume file (default: <state dir>/legacy/producer-checkpoint.json).")
@click.option("--from-start", is_flag=True,
              help="Ignore the checkpoint and send every user again (harmless: the loader "
                   "keeps the newest version).")
def produce(database_url: str | None, bootstrap_servers: str | None, auth: str, topic: str,
            batch_size: int, checkpoint_path: Path | None, from_start: bool) -> None:
    """Send every legacy user after the checkpoint to Kafka, one JSON record per user."""
    from legacy.producer.connection import KafkaAuth, KafkaConnection
    from legacy.producer.run import Counts, ProducerSettings
    from legacy.producer.run import produce as run_producer

    settings = StackSettings.load()
    producer_settings = ProducerSettings(
        database_url=_database_url(settings, database_url),
        kafka=KafkaConnection(
            bootstrap_servers or f"127.0.0.1:{settings.kafka_port}", KafkaAuth(auth),
            os.environ.get("AWS_REGION") or settings.aws_region),
        checkpoint_path=checkpoint_path or settings.state_dir / "legacy" /
        "producer-checkpoint.json",
        topic=topic, batch_size=batch_size, from_start=from_start,
    )

    def progress(counts: Counts) -> None:
        done = counts.read / counts.total * 100 if counts.total else 100.0
        click.echo(f"  {counts.read}/{counts.total} ({done:.0f}%): {counts.summary()}",
                   err=True)

    try:
        counts = asyncio.run(run_producer(producer_settings, progress))
    except ValueError as exc:
        raise StackError(str(exc)) from exc
    click.echo(counts.summary())
    for reason, n in sorted(counts.skipped.items(), key=lambda item: item[0].value):
        click.echo(f"  skipped, {reason.value}: {n}")
