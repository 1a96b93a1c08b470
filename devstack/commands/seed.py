"""``devstack seed``: load hasura/seeds/default/*.sql into the app database."""

from __future__ import annotations

from pathlib import Path

import click

from devstack.commands.project import database_url, project_dir_option
from devstack.console import console
from devstack.hasura_project import seeds
from devstack.settings import StackSettings


@click.command()
@click.option("--file", "only", help="Apply only this seed file (name or path).")
@click.option("--database-name", "source", default="default", show_default=True)
@project_dir_option
def seed(only: str | None, source: str, project_dir: Path) -> None:
    """Apply the seed files in name order, each in its own transaction (idempotent)."""
    files = seeds.seed_files(project_dir / "seeds", source, only)
    touched = seeds.apply(database_url(StackSettings.load()), files)
    for path, rows in touched.items():
        console.print(f"  {path.name}: {rows} row(s)")
    console.print(f"applied {len(files)} seed file(s)")
