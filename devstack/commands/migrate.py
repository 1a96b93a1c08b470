"""``devstack migrate apply|status|down``: the Hasura CLI's migrations against the app database."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from devstack.commands.project import database_url, project_dir_option
from devstack.console import console
from devstack.hasura_project.migrations import DEFAULT_SOURCE, Migrator
from devstack.settings import StackSettings


def _migrator(project_dir: Path, source: str) -> Migrator:
    return Migrator(
        database_url(StackSettings.load()), project_dir / "migrations", source,
        progress=lambda message: console.print(f"  {message}"),
    )


@click.group()
def migrate() -> None:
    """Apply, inspect and roll back migrations (hasura/migrations/<source>/)."""


@migrate.command("apply")
@click.option("--version", "version", type=int, help="Apply only this version.")
@click.option("--up", "up", type=click.IntRange(min=1), help="Apply only the next N pending.")
@click.option("--database-name", "source", default=DEFAULT_SOURCE, show_default=True)
@project_dir_option
def apply_command(version: int | None, up: int | None, source: str, project_dir: Path) -> None:
    """Apply pending migrations, each in its own transaction."""
    done = _migrator(project_dir, source).apply(version=version, up=up)
    console.print(f"applied {len(done)} migration(s)" if done else "nothing to apply")


@migrate.command("down")
@click.option("--version", "version", type=int, help="Roll back only this version.")
@click.option("--down", "count", type=click.IntRange(min=1), help="Roll back the last N.")
@click.option("--all", "everything", is_flag=True, help="Roll back every applied migration.")
@click.option("--database-name", "source", default=DEFAULT_SOURCE, show_default=True)
@project_dir_option
def down_command(
    version: int | None, count: int | None, everything: bool, source: str, project_dir: Path
) -> None:
    """Roll back migrations with their down.sql, newest first (default: the last one)."""
    if sum(x is not None and x is not False for x in (version, count, everything)) > 1:
        raise click.UsageError("give at most one of --version, --down and --all")
    done = _migrator(project_dir, source).down(version=version, count=count, everything=everything)
    console.print(f"rolled back {len(done)} migration(s)" if done else "nothing to roll back")


@migrate.command("status")
@click.option("--database-name", "source", default=DEFAULT_SOURCE, show_default=True)
@project_dir_option
def status_command(source: str, project_dir: Path) -> None:
    """Each migration and whether the database has it."""
    rows = _migrator(project_dir, source).status()
    table = Table(title=f"migrations ({source})")
    for column in ("version", "name", "source status", "database status"):
        table.add_column(column)
    for row in rows:
        database = ("applied (dirty)" if row.dirty else "applied") if row.applied else "not applied"
        table.add_row(str(row.version), row.name or "-",
                      "present" if row.in_folder else "missing", database)
    console.print(table)
