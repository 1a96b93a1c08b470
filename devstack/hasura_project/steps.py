"""The stack steps that bring the database and the engine to the state of ``hasura/``.

``migrate`` runs before the engine starts (the engine reads the schema at start-up);
``metadata`` and ``seed`` run once it is healthy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devstack.hasura_project import metadata_dir, seeds
from devstack.hasura_project.engine_client import MetadataClient, describe_inconsistency
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.postgres import PostgresService
from devstack.settings import StackSettings
from devstack.stack import Service, Step

Progress = Callable[[str], None]


def migrate_step(database_url: Callable[[], str], project_dir: Path = HASURA_DIR) -> Step:
    """``migrate apply`` against the app database."""

    def run() -> str:
        migrator = Migrator(database_url(), project_dir / "migrations")
        applied = migrator.apply()
        total = len(migrator.status())
        return f"{len(applied)} applied, {total} in total"

    return Step("migrations", run)


def metadata_step(endpoint: Callable[[], str], admin_secret: str,
                  project_dir: Path = HASURA_DIR) -> Step:
    """``metadata apply``: ``replace_metadata`` with the folder's metadata."""

    def run() -> str:
        document = metadata_dir.read(project_dir)
        client = MetadataClient(endpoint(), admin_secret)
        client.replace_metadata(document.metadata)
        inconsistent = client.inconsistencies()
        tables = sum(len(s.get("tables") or []) for s in document.metadata.get("sources", []))
        summary = (f"{tables} tables, {len(document.metadata.get('actions') or [])} actions, "
                   f"{len(document.metadata.get('cron_triggers') or [])} cron triggers")
        if inconsistent:
            listed = "; ".join(describe_inconsistency(item) for item in inconsistent)
            summary += f" — {len(inconsistent)} inconsistent: {listed}"
        return summary

    return Step("metadata", run)


def seed_step(database_url: Callable[[], str], project_dir: Path = HASURA_DIR) -> Step:
    """``seed apply``: every seed file (idempotent)."""

    def run() -> str:
        files = seeds.seed_files(project_dir / "seeds")
        touched = seeds.apply(database_url(), files)
        return f"{len(files)} files, {sum(touched.values())} rows inserted"

    return Step("seeds", run)


ENGINE_SERVICE = "engine"


def place(
    settings: StackSettings, postgres: PostgresService, entries: list[Service | Step]
) -> list[Service | Step]:
    """``entries`` with the Hasura project steps put where they belong.

    Migrations right after PostgreSQL (before anything reads the schema); metadata and seeds
    right after the engine is healthy. Without an engine in the stack, only the seeds follow.
    """
    result: list[Service | Step] = []
    has_engine = False
    for entry in entries:
        result.append(entry)
        if entry is postgres:
            result.append(migrate_step(postgres.database_url))
        elif entry.name == ENGINE_SERVICE and not isinstance(entry, Step):
            has_engine = True
            result.append(metadata_step(entry.url, settings.admin_secret))
            result.append(seed_step(postgres.database_url))
    if not has_engine:
        result.append(seed_step(postgres.database_url))
    return result
