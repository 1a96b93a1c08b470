"""Fixtures of the Lambda tests: the project's engine, and handler modules imported cold."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

from devstack.hasura_project import metadata_dir
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.engine import EngineHandle


def cold_start(module: str) -> ModuleType:
    """Import the handler module afresh, as a new Lambda instance does."""
    sys.modules.pop(module, None)
    return importlib.import_module(module)


@pytest.fixture(scope="session")
def core_engine(start_engine: Callable[..., EngineHandle],
                create_database: Callable[[str], str]) -> EngineHandle:
    """The project's schema migrated (no seeds) and its metadata applied."""
    url = create_database("lambdas")
    Migrator(url, HASURA_DIR / "migrations").apply()
    handle = start_engine(url)
    response = handle.metadata({"type": "replace_metadata", "version": 2, "args": {
        "allow_inconsistent_metadata": True,
        "metadata": metadata_dir.read(HASURA_DIR).metadata}})
    assert response.status_code == 200, response.text
    return handle


@pytest.fixture
def graphql_handler(core_engine: EngineHandle, monkeypatch: pytest.MonkeyPatch
                    ) -> Iterator[Callable[[str], ModuleType]]:
    """Imports a GraphQL-writing handler module cold, its settings pointing at ``core_engine``.

    Its engine client is closed and the module forgotten after the test.
    """
    monkeypatch.delenv("HASURA_ADMIN_SECRET_ARN", raising=False)
    monkeypatch.setenv("HASURA_GRAPHQL_ENDPOINT", core_engine.base_url + "/v1/graphql")
    monkeypatch.setenv("HASURA_GRAPHQL_ADMIN_SECRET", str(core_engine.admin_secret))
    started: list[ModuleType] = []

    def start(module: str) -> ModuleType:
        started.append(cold_start(module))
        return started[-1]

    yield start
    for module in started:
        module.graphql().close()
        sys.modules.pop(module.__name__, None)
