"""``migrate apply``'s Hasura CLI flags: --goto, --type, --skip-execution, --dry-run; create."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from devstack.hasura_project import cli_state
from devstack.hasura_project.migration_plan import PlanError, Selection, create
from devstack.hasura_project.migrations import Migrator
from devstack.paths import REPO_ROOT

VERSIONS = (1900000000001, 1900000000002, 1900000000003)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with three migrations, each creating (and its down dropping) one table."""
    for index, version in enumerate(VERSIONS, start=1):
        folder = tmp_path / "migrations" / "default" / f"{version}_t{index}"
        folder.mkdir(parents=True)
        (folder / "up.sql").write_text(f"CREATE TABLE public.t{index} (id int);")
        (folder / "down.sql").write_text(f"DROP TABLE public.t{index};")
    return tmp_path


def _state(url: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return sorted(cli_state.applied_versions(cli_state.read(conn), "default"))


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                            "ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def test_migrate_goto_goes_up_then_down_to_the_version(database_url: str, project: Path) -> None:
    """Migrate goto goes up then down to the version.

    GIVEN nothing applied WHEN --goto the second THEN the first two are applied; WHEN --goto
    the first THEN the second is rolled back.
    """
    migrator = Migrator(database_url, project / "migrations")

    up = migrator.migrate(Selection(goto=VERSIONS[1]))
    assert [(s.direction, s.migration.version) for s in up] == [
        ("up", VERSIONS[0]), ("up", VERSIONS[1])]
    assert _tables(database_url) == ["t1", "t2"]

    down = migrator.migrate(Selection(goto=VERSIONS[0]))
    assert [(s.direction, s.migration.version) for s in down] == [("down", VERSIONS[1])]
    assert _tables(database_url) == ["t1"]
    assert _state(database_url) == [VERSIONS[0]]


def test_migrate_type_down_rolls_back_one_version(database_url: str, project: Path) -> None:
    """GIVEN all applied WHEN --version V2 --type down THEN only V2 is undone; twice refuses."""
    migrator = Migrator(database_url, project / "migrations")
    migrator.migrate()

    migrator.migrate(Selection(version=VERSIONS[1], direction="down"))

    assert _tables(database_url) == ["t1", "t3"]
    with pytest.raises(PlanError, match="is not applied"):
        migrator.migrate(Selection(version=VERSIONS[1], direction="down"))


def test_migrate_skip_execution_records_state_without_running_sql(
    database_url: str, project: Path
) -> None:
    """Migrate skip execution records state without running SQL.

    GIVEN V1 created by hand WHEN --version V1 --skip-execution THEN it is recorded applied
    and its SQL did not run again (which would fail: the table exists).
    """
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.t1 (id int)")
    migrator = Migrator(database_url, project / "migrations")

    migrator.migrate(Selection(version=VERSIONS[0]), skip_execution=True)

    assert _state(database_url) == [VERSIONS[0]]
    assert _tables(database_url) == ["t1"]


def test_migrate_dry_run_changes_nothing(database_url: str, project: Path) -> None:
    """GIVEN nothing applied WHEN --dry-run --up 2 THEN the plan names two, nothing changes."""
    migrator = Migrator(database_url, project / "migrations")

    planned = migrator.migrate(Selection(up=2), dry_run=True)

    assert [s.migration.version for s in planned] == list(VERSIONS[:2])
    assert _state(database_url) == []
    assert _tables(database_url) == []


def test_migrate_selections_are_exclusive() -> None:
    """GIVEN --up and --goto together THEN a clear error naming both."""
    with pytest.raises(PlanError, match="--up, --goto"):
        Selection(up=1, goto=VERSIONS[0])


def test_migrate_create_makes_a_timestamped_folder_with_empty_files(tmp_path: Path) -> None:
    """Migrate create makes a timestamped folder with empty files.

    GIVEN a name WHEN create THEN <epoch ms>_<name>/ holds empty up.sql and down.sql; a name
    with spaces is refused.
    """
    moment = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)

    created = create(tmp_path, "add_labels", moment)

    assert created.directory.name == f"{int(moment.timestamp() * 1000)}_add_labels"
    assert created.up_path.read_text() == created.down_path.read_text() == ""
    with pytest.raises(PlanError, match="letters, digits and underscores"):
        create(tmp_path, "add labels")


def test_migrate_cli_flags_end_to_end(database_url: str, project: Path) -> None:
    """Migrate cli flags end to end.

    GIVEN the CLI WHEN `migrate create`, then `apply --dry-run`, then `apply --goto` THEN
    the new folder appears, the dry run changes nothing and says so, and goto applies up to
    the version.
    """
    env = {**os.environ, "DATABASE_URL": database_url}

    def devstack(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "devstack", "migrate", *args,
                               "--project-dir", str(project)], capture_output=True, text=True,
                              env=env, cwd=REPO_ROOT, timeout=60, check=False)

    made = devstack("create", "later_one")
    dry = devstack("apply", "--dry-run")
    goto = devstack("apply", "--goto", str(VERSIONS[1]))

    assert made.returncode == 0, made.stderr
    assert len(list((project / "migrations" / "default").glob("*_later_one"))) == 1
    assert dry.returncode == 0, dry.stderr
    assert "4 migration(s) would run; nothing changed" in dry.stdout
    assert goto.returncode == 0, goto.stderr
    # The new folder's version is now, before the fixture's (2030): goto applies it too.
    assert "applied 3 migration(s)" in goto.stdout
    assert _state(database_url)[1:] == list(VERSIONS[:2])
