"""``devstack migrate apply|create|status|down``: the Hasura CLI's migrations, app database."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from devstack.commands.project import database_url, project_dir_option
from devstack.console import console
from devstack.hasura_project.migration_plan import Direction, Selection, create
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


def _down_count(value: str | None) -> tuple[int | None, bool]:
    if value is None:
        return None, False
    if value == "all":
        return None, True
    if value.isdigit() and int(value) > 0:
        return int(value), False
    raise click.BadParameter("expecting a positive number or 'all'", param_hint="--down")


@migrate.command("apply")
@click.option("--version", "version", type=int, help="Only this version (see --type).")
@click.option("--type", "direction", type=click.Choice(["up", "down"]), default="up",
              show_default=True, help="With --version: apply it (up) or roll it back (down).")
@click.option("--up", "up", type=click.IntRange(min=1), help="Apply only the next N pending.")
@click.option("--down", "down", metavar="N|all", help="Roll back the last N applied, or all.")
@click.option("--goto", "goto", type=int,
              help="Apply or roll back until this version is the last one applied.")
@click.option("--skip-execution", is_flag=True,
              help="Record the state change without running the SQL (it ran some other way).")
@click.option("--dry-run", is_flag=True, help="Print what would run; change nothing.")
@click.option("--database-name", "source", default=DEFAULT_SOURCE, show_default=True)
@project_dir_option
def apply_command(version: int | None, direction: Direction, up: int | None, down: str | None,
                  goto: int | None, skip_execution: bool, dry_run: bool, source: str,
                  project_dir: Path) -> None:
    """Apply pending migrations, each in its own transaction (the Hasura CLI's flags)."""
    count, everything = _down_count(down)
    if direction == "down" and version is None:
        raise click.UsageError("--type down needs --version (or use --down N)")
    selection = Selection(version=version, direction=direction, up=up, down=count,
                          everything_down=everything, goto=goto)
    steps = _migrator(project_dir, source).migrate(selection, skip_execution=skip_execution,
                                                   dry_run=dry_run)
    if dry_run:
        for step in steps:
            console.print(f"  would {'apply' if step.direction == 'up' else 'roll back'} "
                          f"{step.migration}")
        console.print(f"dry run: {len(steps)} migration(s) would run; nothing changed")
        return
    if not steps:
        console.print("nothing to apply")
        return
    applied = sum(step.direction == "up" for step in steps)
    rolled_back = len(steps) - applied
    done = [f"applied {applied}" if applied else "", f"rolled back {rolled_back}"
            if rolled_back else ""]
    suffix = " (state only, SQL skipped)" if skip_execution else ""
    console.print(f"{', '.join(d for d in done if d)} migration(s){suffix}")


@migrate.command("create")
@click.argument("name")
@click.option("--database-name", "source", default=DEFAULT_SOURCE, show_default=True)
@project_dir_option
def create_command(name: str, source: str, project_dir: Path) -> None:
    """Create <ms>_NAME/ with empty up.sql and down.sql under migrations/<source>/."""
    created = create(project_dir / "migrations" / source, name)
    console.print(f"created {created.directory}")
    console.print(f"  version {created.version}: write up.sql and down.sql, then `./dev migrate "
                  f"apply --version {created.version}`")


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
