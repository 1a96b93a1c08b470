"""The project (``hasura/``) on a fresh database and engine, for end-to-end trigger tests."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from devstack.hasura_project import metadata_dir
from devstack.hasura_project.engine_client import MetadataClient
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.ports import free_port
from devstack.services.engine import EngineServer

ADMIN_SECRET = "triggers-test-admin-secret"
SHARED_SECRET = "triggers-test-shared-secret"


def migrated_database(create_database: Callable[[str], str]) -> str:
    """A fresh database with every migration of ``hasura/migrations`` applied."""
    url = create_database("project")
    Migrator(url, HASURA_DIR / "migrations").apply()
    return url


def project_metadata() -> dict[str, Any]:
    """The metadata of ``hasura/metadata`` (a copy the test may change)."""
    return copy.deepcopy(metadata_dir.read(HASURA_DIR).metadata)


def engine_server(
    database_url: str, state_dir: Path, name: str, env: Mapping[str, str]
) -> EngineServer:
    """An engine (not started) with fast trigger delivery settings and ``env``."""
    return EngineServer(
        database_url, free_port(), admin_secret=ADMIN_SECRET, state_dir=state_dir, name=name,
        extra_env={
            "ACTION_SHARED_SECRET": SHARED_SECRET,
            "ACTIONS_BASE_URL": "http://127.0.0.1:9",
            "TRIGGERS_BASE_URL": "http://127.0.0.1:9",
            "EVENT_TRIGGER_URL": "http://127.0.0.1:9/echo",
            "HASURA_GRAPHQL_EVENTS_FETCH_INTERVAL": "200",
            **env,
        },
    )


def apply_metadata(server: EngineServer, metadata: dict[str, Any]) -> None:
    """``replace_metadata`` on ``server``, as ``devstack metadata apply`` does."""
    MetadataClient(server.url(), ADMIN_SECRET).replace_metadata(metadata)
