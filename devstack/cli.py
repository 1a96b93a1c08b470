"""The ``devstack`` command line: run the local stack and manage the Hasura project."""

from __future__ import annotations

import sys

import click

from devstack.commands.conformance import conformance
from devstack.commands.legacy import legacy
from devstack.commands.lifecycle import down, status, up
from devstack.commands.metadata import metadata
from devstack.commands.migrate import migrate
from devstack.commands.seed import seed
from devstack.errors import StackError


@click.group()
def cli() -> None:
    """Run the backend locally: PostgreSQL, Redis, Cognito, AWS stand-ins, the engine."""


cli.add_command(up)
cli.add_command(down)
cli.add_command(status)
cli.add_command(migrate)
cli.add_command(metadata)
cli.add_command(seed)
cli.add_command(conformance)
cli.add_command(legacy)


def main() -> None:
    """Run the CLI; a StackError is one clear line on stderr and exit code 1."""
    try:
        cli.main(standalone_mode=False)
    except StackError as exc:
        click.echo(f"devstack: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
