"""Options and lookups shared by the commands that manage the Hasura project folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from devstack.paths import HASURA_DIR
from devstack.services.postgres import PostgresService
from devstack.settings import StackSettings

F = TypeVar("F", bound=Callable[..., Any])


def project_dir_option(command: F) -> F:
    """``--project-dir``: the Hasura CLI project to use (default: the repository's ``hasura/``)."""
    return click.option(
        "--project-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=HASURA_DIR,
        show_default=True,
        help="Hasura CLI project folder (config.yaml, metadata/, migrations/, seeds/).",
    )(command)


def database_url(settings: StackSettings) -> str:
    """The application database: ``DATABASE_URL`` when set, else the local cluster's."""
    return PostgresService(settings).database_url()
