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
from devstack.hasura_project.sql_errors import describe_sql_error
from devstack.paths import HASURA_DIR

DEFAULT_SOURCE = "default"
MIGRATIONS_DIR = HASURA_DIR / "migrations"

_FOLDER = re.compile(r"^(?P<version>\d+)_(?P<name>\w+)$")

Progress = Callable[[str], None]


class MigrationError(StackError):
    """A migration could not be applied or rolled back (the message names the file)."""


@dataclass(frozen=True)
class Migration:
    """One migration folder."""

    version: int
    name: str
    directory: Path

    @property
    def up_path(self) -> Path:
        """The forward SQL."""
        return self.directory / "up.sql"

    @property
    def down_path(self) -> Path:
        """The SQL that undoes ``up.sql``."""
        return self.directory / "down.sql"

    def __str__(self) -> str:
        return f"{self.version}_{self.name}"


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

    def apply(self, version: int | None = None, up: int | None = None) -> list[Migration]:
        """Apply pending migrations in order: all, the next ``up``, or only ``version``.

        Returns:
            The migrations applied (empty when there was nothing to do).

        Raises:
            MigrationError: a migration failed (it was rolled back; later ones were not run).
        """
        migrations = discover(self.directory)
        with self._locked() as conn:
            applied = self._clean_state(conn)
            pending = [m for m in migrations if m.version not in applied]
            if version is not None:
                pending = [m for m in pending if m.version == version]
                if not pending:
                    self._explain_missing(migrations, applied, version, wanted_applied=False)
            if up is not None:
                pending = pending[:up]
            for migration in pending:
                self._run(conn, migration, migration.up_path, applied=True)
        return pending

    def down(
        self, version: int | None = None, count: int | None = None, everything: bool = False
    ) -> list[Migration]:
        """Roll back applied migrations, newest first: only ``version``, the last ``count``, or all.

        Returns:
            The migrations rolled back.
        """
        migrations = {m.version: m for m in discover(self.directory)}
        with self._locked() as conn:
            applied = self._clean_state(conn)
            missing = sorted(v for v in applied if v not in migrations)
            if missing and (everything or version in missing or count is not None):
                raise MigrationError(
                    f"version(s) {', '.join(map(str, missing))} are applied in the database but "
                    f"have no folder under {self.directory}; cannot roll them back"
                )
            targets = [migrations[v] for v in sorted(applied, reverse=True) if v in migrations]
            if version is not None:
                targets = [m for m in targets if m.version == version]
                if not targets:
                    self._explain_missing(list(migrations.values()), applied, version,
                                          wanted_applied=True)
            elif not everything:
                targets = targets[: 1 if count is None else count]
            for migration in targets:
                if not migration.down_path.exists():
                    raise MigrationError(f"{migration.directory} has no down.sql")
                self._run(conn, migration, migration.down_path, applied=False)
        return targets

    def _run(
        self, conn: psycopg.Connection[Any], migration: Migration, path: Path, applied: bool
    ) -> None:
        sql_text = path.read_text()
        verb = "applying" if applied else "rolling back"
        self.progress(f"{verb} {migration}")
        try:
            with conn.transaction():
                if sql_text.strip():
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

    def _explain_missing(
        self, migrations: list[Migration], applied: dict[int, bool], version: int,
        wanted_applied: bool,
    ) -> None:
        if version not in {m.version for m in migrations}:
            raise MigrationError(f"no migration with version {version} under {self.directory}")
        state = "already applied" if version in applied else "not applied"
        if (version in applied) != wanted_applied:
            raise MigrationError(f"migration {version} is {state}")

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
