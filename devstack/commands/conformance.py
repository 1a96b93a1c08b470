"""``devstack conformance [DIR] [runner options]``: Hasura's cases against a throw-away engine."""

from __future__ import annotations

from pathlib import Path

import click

from devstack import reference
from devstack.conformance import local_engine
from devstack.errors import StackError

CASES = ("hasura", "conformance")


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--state", type=click.Path(path_type=Path),
              help="Keep the started PostgreSQL and engine state (logs) in this folder.")
@click.argument("runner_args", nargs=-1, type=click.UNPROCESSED)
def conformance(state: Path | None, runner_args: tuple[str, ...]) -> None:
    """Start PostgreSQL and the engine, then run `python -m engine.conformance` against them.

    RUNNER_ARGS go to the runner (-k, -q, --json); the first may be the cases folder, by
    default hasura/conformance in the reference folder (REFERENCE_DIR).
    """
    from engine.conformance.__main__ import main

    args = list(runner_args)
    if not args or args[0].startswith("-"):
        try:
            args.insert(0, str(reference.require(*CASES)))
        except reference.ReferenceMissingError as exc:
            raise StackError(str(exc)) from None
    with local_engine(state) as engine:
        code = main([*args, "--engine-url", engine.url, "--admin-secret", engine.admin_secret])
    if code:
        raise SystemExit(code)
