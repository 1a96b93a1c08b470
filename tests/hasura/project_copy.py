"""Helpers for tests that need the Hasura project: a scratch copy, and a catalog dump."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from devstack.paths import HASURA_DIR
from devstack.services.postgres import pg_bindir


def copy_project(destination: Path) -> Path:
    """A copy of ``hasura/`` (config, metadata, migrations, seeds) to mutate in a test."""
    target = destination / "hasura"
    shutil.copytree(HASURA_DIR, target, ignore=shutil.ignore_patterns("schema"))
    return target


def schema_dump(database_url: str) -> str:
    """``pg_dump --schema-only`` of the database with the server's own binaries.

    The migration state table's rows are data, so they do not show; ``hdb_catalog`` is left
    out because the runner creates it once and never drops it.
    """
    result = subprocess.run(
        [str(pg_bindir() / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
         "--exclude-schema=hdb_catalog", database_url],
        capture_output=True, text=True, check=True,
    )
    # Comments and the per-run random key of \restrict/\unrestrict (newer pg_dump) vary.
    return "\n".join(
        line for line in result.stdout.splitlines()
        if not line.startswith(("--", "\\restrict", "\\unrestrict"))
    )
