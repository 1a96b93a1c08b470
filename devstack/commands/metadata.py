"""``devstack metadata apply|export|validate``: the metadata directory ⇄ the engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from devstack.commands.project import database_url, project_dir_option
from devstack.console import console, err_console
from devstack.errors import StackError
from devstack.hasura_project import (
    metadata_db_check,
    metadata_dir,
    metadata_model,
    metadata_schema,
    role_schema,
)
from devstack.hasura_project.engine_client import MetadataClient, describe_inconsistency
from devstack.ports import LOOPBACK
from devstack.settings import StackSettings
from engine.metadata.openapi import SCHEMA_PATH_SETTING

F = TypeVar("F", bound=Callable[..., Any])


def _engine_options(command: F) -> F:
    """``--endpoint`` and ``--admin-secret``, named and read from the env as the CLI does."""
    command = click.option(
        "--admin-secret", envvar="HASURA_GRAPHQL_ADMIN_SECRET",
        default=lambda: StackSettings.load().admin_secret, show_default=False,
        help="Admin secret (env HASURA_GRAPHQL_ADMIN_SECRET).",
    )(command)
    return click.option(
        "--endpoint", envvar="HASURA_GRAPHQL_ENDPOINT",
        default=lambda: f"http://{LOOPBACK}:{StackSettings.load().engine_port}",
        show_default="local engine",
        help="Engine base URL (env HASURA_GRAPHQL_ENDPOINT; a /v1/graphql suffix is ignored).",
    )(command)


@click.group()
def metadata() -> None:
    """Apply, export and validate the metadata in hasura/metadata/."""


@metadata.command("apply")
@click.option("--disallow-inconsistent-metadata", "disallow", is_flag=True,
              help="Refuse metadata with inconsistent objects (nothing changes), as the CLI's "
                   "flag of that name; by default it is applied and the objects listed.")
@project_dir_option
@_engine_options
def apply_command(project_dir: Path, endpoint: str, admin_secret: str, disallow: bool) -> None:
    """Replace the engine's metadata with the folder's (replace_metadata, as the CLI does).

    Inconsistent objects are listed and the command exits 1.
    """
    document = metadata_dir.read(project_dir)
    client = MetadataClient(endpoint, admin_secret)
    client.replace_metadata(document.metadata, allow_inconsistent=not disallow)
    inconsistent = client.inconsistencies()
    if inconsistent:
        for item in inconsistent:
            err_console.print(f"[yellow]inconsistent:[/] {describe_inconsistency(item)}")
        raise StackError(f"metadata applied with {len(inconsistent)} inconsistent object(s)")
    console.print("metadata applied")


@metadata.command("export")
@project_dir_option
@_engine_options
def export_command(project_dir: Path, endpoint: str, admin_secret: str) -> None:
    """Write the engine's metadata (export_metadata) into the folder's directory format."""
    exported = MetadataClient(endpoint, admin_secret).export_metadata()
    written = metadata_dir.write(project_dir, exported)
    console.print(f"metadata exported: {len(written)} files under "
                  f"{metadata_dir.metadata_dir(project_dir)}")


@metadata.command("export-schema")
@click.option("--role", "roles", multiple=True, default=role_schema.ROLES, show_default=True,
              help="Role(s) whose GraphQL schema to write (repeat the option).")
@project_dir_option
@_engine_options
def export_schema_command(
    roles: tuple[str, ...], project_dir: Path, endpoint: str, admin_secret: str
) -> None:
    """Write the GraphQL schema each role sees to <project>/schema/<role>.graphql."""
    written = role_schema.export(project_dir, endpoint, admin_secret, roles)
    for path in written:
        console.print(f"  {path}")
    console.print(f"wrote {len(written)} schema file(s)")


@metadata.command("validate")
@click.option("--no-database", is_flag=True, help="Skip the check against the database.")
@click.option("--schema", "schema_path", envvar=SCHEMA_PATH_SETTING,
              type=click.Path(path_type=Path),
              help=f"Also check against Hasura's metadata.openapi.json at this path "
                   f"(env {SCHEMA_PATH_SETTING}).")
@project_dir_option
def validate_command(project_dir: Path, no_database: bool, schema_path: Path | None) -> None:
    """Check the folder with the engine's metadata model and the database; list every problem.

    With --schema, Hasura's JSON schema is an extra check.
    """
    document = metadata_dir.read(project_dir)
    problems = metadata_model.validate(document)
    if schema_path is not None:
        problems += metadata_schema.validate(document, schema_path)
    if not no_database:
        problems += metadata_db_check.validate(document, database_url(StackSettings.load()))
    for problem in problems:
        err_console.print(f"[red]{problem.check}[/] {problem}")
    if problems:
        raise StackError(f"metadata has {len(problems)} problem(s)")
    console.print("metadata is valid")

