from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from devstack.hasura_project import cli_state
from devstack.hasura_project.migrations import MigrationError, Migrator
from devstack.paths import REPO_ROOT
from tests.hasura.project_copy import copy_project, schema_dump

BROKEN_SQL = """CREATE TABLE public.half_done (id int);
ALTER TABLE public.users ADD COLUMN nickname text;
SELECT missing_column FROM public.users;
"""


def _add_migration(project: Path, version: int, name: str, up: str, down: str = "") -> Path:
    folder = project / "migrations" / "default" / f"{version}_{name}"
    folder.mkdir()
    (folder / "up.sql").write_text(up)
    (folder / "down.sql").write_text(down)
    return folder


def _state(url: str) -> dict[int, bool]:
    with psycopg.connect(url) as conn:
        return cli_state.applied_versions(cli_state.read(conn), "default")


def test_migrate_broken_migration_rolls_back_and_names_file_and_error(
    database_url: str, tmp_path: Path
) -> None:
    """Migrate broken migration rolls back and names file and error.

    GIVEN a migrated database and two new migrations, the first broken on its third line WHEN they
    are applied THEN nothing changes (schema, state), the second is not run, and the error names the
    file, the line and PostgreSQL's message.
    """
    project = copy_project(tmp_path)
    migrator = Migrator(database_url, project / "migrations")
    migrator.apply()
    before_schema, before_state = schema_dump(database_url), _state(database_url)
    broken = _add_migration(project, 1900000000000, "broken", BROKEN_SQL)
    _add_migration(project, 1900000000001, "after", "CREATE TABLE public.after_broken (id int);")

    with pytest.raises(MigrationError) as caught:
        migrator.apply()

    message = str(caught.value)
    assert str(broken / "up.sql") in message
    assert 'column "missing_column" does not exist' in message
    assert "line 3" in message
    assert "42703" in message
    assert schema_dump(database_url) == before_schema
    assert _state(database_url) == before_state


def test_migrate_failure_stops_later_migrations_but_keeps_earlier_ones(
    database_url: str, tmp_path: Path
) -> None:
    """Migrate failure stops later migrations but keeps earlier ones.

    GIVEN good, broken, good pending migrations WHEN applied THEN the first is applied and recorded,
    the broken one and the one after it are not.
    """
    project = copy_project(tmp_path)
    _add_migration(project, 1900000000000, "good", "CREATE TABLE public.good_one (id int);",
                   "DROP TABLE public.good_one;")
    _add_migration(project, 1900000000001, "broken", "CREATE TABLE public.x (id nope);")
    _add_migration(project, 1900000000002, "later", "CREATE TABLE public.later_one (id int);")

    with pytest.raises(MigrationError, match='type "nope" does not exist'):
        Migrator(database_url, project / "migrations").apply()

    state = _state(database_url)
    assert 1900000000000 in state
    assert 1900000000001 not in state
    assert 1900000000002 not in state
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            "SELECT to_regclass('public.good_one') IS NOT NULL, "
            "to_regclass('public.later_one') IS NOT NULL"
        ).fetchone()
    assert found == (True, False)


def test_migrate_cli_reports_failure_in_one_message_and_exits_non_zero(
    database_url: str, tmp_path: Path
) -> None:
    """Migrate cli reports failure in one message and exits non zero.

    GIVEN a broken migration WHEN `devstack migrate apply` runs THEN it exits 1 and prints the file
    and the SQL error, not a traceback.
    """
    project = copy_project(tmp_path)
    broken = _add_migration(project, 1900000000000, "broken", BROKEN_SQL)
    env = {**os.environ, "DATABASE_URL": database_url}

    result = subprocess.run(
        [sys.executable, "-m", "devstack", "migrate", "apply", "--project-dir", str(project)],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60, check=False,
    )

    assert result.returncode == 1
    assert str(broken / "up.sql") in result.stderr
    assert "missing_column" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_migrate_down_version_rolls_back_only_that_one(database_url: str, tmp_path: Path) -> None:
    """Migrate down version rolls back only that one.

    GIVEN two extra applied migrations WHEN the older is rolled back by version THEN only it is
    undone and removed from the state.
    """
    project = copy_project(tmp_path)
    _add_migration(project, 1900000000000, "a", "CREATE TABLE public.a (id int);",
                   "DROP TABLE public.a;")
    _add_migration(project, 1900000000001, "b", "CREATE TABLE public.b (id int);",
                   "DROP TABLE public.b;")
    migrator = Migrator(database_url, project / "migrations")
    migrator.apply()

    undone = migrator.down(version=1900000000000)

    assert [m.version for m in undone] == [1900000000000]
    state = _state(database_url)
    assert 1900000000000 not in state
    assert 1900000000001 in state
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            "SELECT to_regclass('public.a') IS NULL, to_regclass('public.b') IS NOT NULL"
        ).fetchone()
    assert found == (True, True)
    assert [m.version for m in migrator.apply()] == [1900000000000]


def test_migrate_status_lists_pending_and_applied(database_url: str, tmp_path: Path) -> None:
    """GIVEN the first two migrations applied WHEN status is asked THEN it says which are."""
    project = copy_project(tmp_path)
    migrator = Migrator(database_url, project / "migrations")
    migrator.apply(up=2)

    rows = migrator.status()

    assert [row.applied for row in rows] == [True, True] + [False] * (len(rows) - 2)
    assert all(row.in_folder and not row.dirty for row in rows)


def test_migrate_refuses_a_dirty_database(database_url: str, tmp_path: Path) -> None:
    """GIVEN a version marked dirty in cli_state WHEN migrating THEN it refuses, naming it."""
    project = copy_project(tmp_path)
    migrator = Migrator(database_url, project / "migrations")
    migrator.apply(up=1)
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "UPDATE hdb_catalog.hdb_version SET cli_state = "
            "jsonb_set(cli_state, '{migrations,default,1732060800000}', 'true')"
        )

    with pytest.raises(MigrationError, match=r"dirty at version.*1732060800000"):
        migrator.apply()
