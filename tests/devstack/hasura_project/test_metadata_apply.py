from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from devstack.hasura_project import metadata_dir
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR, REPO_ROOT
from devstack.services.credit_history import CreditHistoryService
from devstack.services.engine import EngineHandle
from tests.hasura.conftest import project_engine_env
from tests.hasura.project_copy import copy_project


@pytest.fixture(scope="module")
def migrated_engine(
    create_database: Callable[[str], str], start_engine: Callable[..., EngineHandle],
    credit_history: CreditHistoryService,
) -> EngineHandle:
    """An engine on a freshly migrated database, with no metadata applied yet.

    (The credit-history service runs: the metadata's remote schema must answer.)
    """
    url = create_database("metaapply")
    Migrator(url, HASURA_DIR / "migrations").apply()
    return start_engine(url, extra_env=project_engine_env(credit_history))


def _metadata_cli(engine: EngineHandle, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HASURA_GRAPHQL_ENDPOINT": engine.base_url + "/v1/graphql",
           "HASURA_GRAPHQL_ADMIN_SECRET": engine.admin_secret or "", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "devstack", "metadata", *args], capture_output=True, text=True,
        env=env, cwd=REPO_ROOT, timeout=120, check=False,
    )


def test_metadata_apply_then_export_through_the_cli(
    migrated_engine: EngineHandle, tmp_path: Path
) -> None:
    """Metadata apply then export through the cli.

    GIVEN an engine without metadata WHEN `devstack metadata apply` then `metadata export` run
    against it (endpoint and secret from the environment, as for the Hasura CLI) THEN both
    succeed and the exported folder reads back as the applied metadata.
    """
    applied = _metadata_cli(migrated_engine, "apply", "--project-dir", str(HASURA_DIR))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "metadata applied" in applied.stdout

    project = copy_project(tmp_path)
    exported = _metadata_cli(migrated_engine, "export", "--project-dir", str(project))

    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert metadata_dir.normalise(metadata_dir.read(project).metadata) == (
        metadata_dir.normalise(metadata_dir.read(HASURA_DIR).metadata)
    )


def test_metadata_apply_of_inconsistent_metadata_is_refused_clearly(
    migrated_engine: EngineHandle, tmp_path: Path
) -> None:
    """Metadata apply of inconsistent metadata is refused clearly.

    GIVEN a table file naming a table the database lacks WHEN `devstack metadata apply` runs
    THEN it exits 1 with the engine's reason naming the table, and no traceback.
    """
    project = copy_project(tmp_path)
    wallets = project / "metadata" / "databases" / "default" / "tables" / "public_wallets.yaml"
    wallets.write_text(wallets.read_text().replace("name: wallets", "name: walets", 1))

    result = _metadata_cli(migrated_engine, "apply", "--project-dir", str(project))

    assert result.returncode == 1
    assert "walets" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
