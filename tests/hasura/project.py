"""An engine serving the project's schema, metadata and seeds, for tests over HTTP.

Imported by the root conftest: one session instance of each fixture for the whole suite.

By default a local engine is started on a fresh database migrated and seeded from
``hasura/``. Set ``TEST_HASURA_GRAPHQL_ENDPOINT`` and ``TEST_HASURA_GRAPHQL_ADMIN_SECRET`` to
run the same tests against another server instead, e.g. real Hasura from
``docker compose up`` (which applies the same folder).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.hasura_project import metadata_dir, seeds
from devstack.hasura_project.engine_client import MetadataClient
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.ports import free_port
from devstack.services.credit_history import CreditHistoryService
from devstack.services.engine import EngineHandle
from devstack.settings import StackSettings

# What the metadata reads from the engine's environment (handler URLs, shared secret).
METADATA_ENV = {
    "ACTIONS_BASE_URL": "http://127.0.0.1:9",
    "TRIGGERS_BASE_URL": "http://127.0.0.1:9",
    "ACTION_SHARED_SECRET": "test-action-secret",
    "EVENT_TRIGGER_URL": "http://127.0.0.1:9/echo",
}


def project_engine_env(credit_history: CreditHistoryService) -> dict[str, str]:
    """What an engine serving hasura/metadata needs, the credit-history remote schema included."""
    return {**METADATA_ENV, "CREDIT_HISTORY_URL": credit_history.url() + "/graphql",
            "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS": "true"}


@dataclass(frozen=True)
class HasuraTarget:
    """Where the GraphQL server under test answers, and its admin secret."""

    base_url: str
    admin_secret: str
    database_url: str | None
    """Set when the tests own the database (local engine)."""

    @property
    def graphql_url(self) -> str:
        """The GraphQL endpoint."""
        return self.base_url + "/v1/graphql"


@pytest.fixture(scope="session")
def credit_history(state_root: Path) -> Iterator[CreditHistoryService]:
    """The credit-history service (DuckDB over the seeded Parquet), the remote schema."""
    settings = dataclasses.replace(StackSettings.load(), state_dir=state_root / "credit-history",
                                   action_shared_secret=METADATA_ENV["ACTION_SHARED_SECRET"])
    service = CreditHistoryService(settings, port=free_port(), upload=False)
    service.start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def hasura(
    create_database: Callable[[str], str], start_engine: Callable[..., EngineHandle],
    credit_history: CreditHistoryService,
) -> HasuraTarget:
    """The server under test with the project's metadata applied and the seeds loaded.

    (``create_database`` comes first so PostgreSQL outlives the engine at teardown; the
    credit-history service before the engine, which introspects it.)
    """
    endpoint = os.environ.get("TEST_HASURA_GRAPHQL_ENDPOINT")
    if endpoint:
        secret = os.environ.get("TEST_HASURA_GRAPHQL_ADMIN_SECRET", "")
        return HasuraTarget(endpoint.rstrip("/").removesuffix("/v1/graphql"), secret, None)
    url = create_database("hasura")
    Migrator(url, HASURA_DIR / "migrations").apply()
    seeds.apply(url, seeds.seed_files(HASURA_DIR / "seeds"))
    handle = start_engine(url, extra_env=project_engine_env(credit_history))
    assert handle.admin_secret is not None
    MetadataClient(handle.base_url, handle.admin_secret).replace_metadata(
        metadata_dir.read(HASURA_DIR).metadata
    )
    return HasuraTarget(handle.base_url, handle.admin_secret, url)
