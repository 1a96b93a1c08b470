"""Apply and roll back migrations in the Hasura CLI format, recording state as the CLI does.

A migration is a folder ``<version>_<name>/`` with ``up.sql`` and ``down.sql``, the version
being epoch milliseconds. Each runs in its own transaction together with its state update,
so a failing migration leaves neither schema changes nor a state entry behind, and the ones
after it are not attempted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from devstack.errors import StackError
from devstack.hasura_project import cli_state
from devstack.hasura_project.migration_plan import Migration, Selection, Step, plan
from devstack.hasura_project.sql_errors import describe_sql_error
from devstack.paths import HASURA_DIR

DEFAULT_SOURCE = "default"
MIGRATIONS_DIR = HASURA_DIR / "migrations"

_FOLDER = re.compile(r"^(?P<version>\d+)_(?P<name>\w+)$")

Progress = Callable[[str], None]


class MigrationError(StackError):
    """A migration could not be applied or rolled back (the message names the file)."""


@dataclass(frozen=True)
class MigrationStatus:
    """A version known to the folder, the database, or both."""

    version: int
    name: str | None
    in_folder: bool
    applied: bool
    dirty: bool


def discover(directory: Path) -> list[Migration]:
    """The migrations under ``directory`` in version order (other folders are skipped).

    Raises:
        MigrationError: two folders share a version, or a folder has no ``up.sql``.
    """
    if not directory.is_dir():
        raise MigrationError(f"migrations folder {directory} does not exist")
    found: dict[int, Migration] = {}
    for child in sorted(directory.iterdir()):
        match = _FOLDER.match(child.name)
        if not child.is_dir() or match is None:
            continue
        migration = Migration(int(match["version"]), match["name"], child)
        if migration.version in found:
            raise MigrationError(
                f"{child} and {found[migration.version].directory} share version "
                f"{migration.version}"
            )
        if not migration.up_path.exists():
            raise MigrationError(f"{child} has no up.sql")
        found[migration.version] = migration
    return [found[v] for v in sorted(found)]


class Migrator:
    """Migrations of one source (``hasura/migrations/<source>``) against one database."""

    def __init__(
        self,
        database_url: str,
        migrations_dir: Path = MIGRATIONS_DIR,
        source: str = DEFAULT_SOURCE,
        progress: Progress | None = None,
    ) -> None:
        self.database_url = database_url
        self.directory = migrations_dir / source
        self.source = source
        self.progress = progress or (lambda _message: None)

    def status(self) -> list[MigrationStatus]:
        """Every version in the folder or the database, with whether it is applied."""
        local = {m.version: m for m in discover(self.directory)}
        with self._connect() as conn:
            applied = cli_state.applied_versions(cli_state.read(conn), self.source)
        return [
            MigrationStatus(
                version=version,
                name=local[version].name if version in local else None,
                in_folder=version in local,
                applied=version in applied,
                dirty=applied.get(version, False),
            )
            for version in sorted(set(local) | set(applied))
        ]

    def migrate(self, selection: Selection | None = None, *, skip_execution: bool = False,
                dry_run: bool = False) -> list[Step]:
        """Run the steps ``selection`` asks for (default: every pending migration, in order).

        Each step runs its SQL and records the new state in one transaction. With
        ``skip_execution`` only the state is recorded (the SQL was run some other way); with
        ``dry_run`` nothing happens and the plan is returned.

        Returns:
            The steps run (or, with ``dry_run``, that would run).

        Raises:
            PlanError: the selection names a version that is missing or in the wrong state.
            MigrationError: a step failed (it was rolled back; later ones were not run).
        """
        migrations = discover(self.directory)
        with self._locked() as conn:
            applied = self._clean_state(conn)
            steps = plan(migrations, applied, selection or Selection(), self.directory)
            if dry_run:
                return steps
            for step in steps:
                self._run(conn, step, skip_execution)
        return steps

    def apply(self, version: int | None = None, up: int | None = None) -> list[Migration]:
        """Apply pending migrations in order: all, the next ``up``, or only ``version``."""
        steps = self.migrate(Selection(version=version, up=up))
        return [step.migration for step in steps]

    def down(
        self, version: int | None = None, count: int | None = None, everything: bool = False
    ) -> list[Migration]:
        """Roll back applied migrations, newest first: only ``version``, the last ``count``, or all.

        Default: the last one.
        """
        if version is not None:
            selection = Selection(version=version, direction="down")
        else:
            selection = Selection(down=None if everything else (count or 1),
                                  everything_down=everything)
        return [step.migration for step in self.migrate(selection)]

    def _run(self, conn: psycopg.Connection[Any], step: Step, skip_execution: bool) -> None:
        migration, path, applied = step.migration, step.path, step.direction == "up"
        if not path.exists():
            raise MigrationError(f"{migration.directory} has no {path.name}")
        sql_text = path.read_text()
        verb = "applying" if applied else "rolling back"
        self.progress(f"{verb} {migration}" + (" (state only, SQL skipped)"
                                               if skip_execution else ""))
        try:
            with conn.transaction():
                if sql_text.strip() and not skip_execution:
                    # No parameters: psycopg sends the file with the simple-query protocol,
                    # so a file may hold many statements (and dollar-quoted bodies).
                    conn.execute(sql_text.encode())
                cli_state.record(conn, self.source, migration.version, applied)
        except psycopg.Error as exc:
            raise MigrationError(
                f"migration {migration} failed and was rolled back; "
                f"later migrations were not {'applied' if applied else 'rolled back'}\n"
                + describe_sql_error(path, sql_text, exc)
            ) from exc

    def _clean_state(self, conn: psycopg.Connection[Any]) -> dict[int, bool]:
        cli_state.ensure_table(conn)
        applied = cli_state.applied_versions(cli_state.read(conn), self.source)
        dirty = sorted(v for v, is_dirty in applied.items() if is_dirty)
        if dirty:
            raise MigrationError(
                f"the database is marked dirty at version(s) {', '.join(map(str, dirty))} "
                "(a migration stopped half-way outside a transaction); repair the schema by "
                "hand, then clear the flag in hdb_catalog.hdb_version.cli_state"
            )
        return applied

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            conn = psycopg.connect(self.database_url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise MigrationError(f"cannot connect to the database: {exc}".strip()) from exc
        with conn:
            yield conn

    @contextmanager
    def _locked(self) -> Iterator[psycopg.Connection[Any]]:
        with self._connect() as conn:
            cli_state.lock(conn)
            try:
                yield conn
            finally:
                if not conn.closed:
                    cli_state.unlock(conn)
