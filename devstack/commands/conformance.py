"""``devstack conformance [DIR] [runner options]``: Hasura's cases against a throw-away engine."""

from __future__ import annotations

from pathlib import Path

import click

from devstack import reference
from devstack.conformance import local_engines
from devstack.errors import StackError

CASES = ("hasura", "conformance")


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--state", type=click.Path(path_type=Path),
              help="Keep the started PostgreSQL and engine state (logs) in this folder.")
@click.option("-j", "--workers", type=int, default=2, show_default=True,
              help="Engines, each on its own database, running classes in parallel.")
@click.argument("runner_args", nargs=-1, type=click.UNPROCESSED)
def conformance(state: Path | None, workers: int, runner_args: tuple[str, ...]) -> None:
    """Start PostgreSQL and the engine, then run `python -m engine.conformance` against them.

    RUNNER_ARGS go to the runner (-k, -q, --json); the first may be the cases folder, by
    default hasura/conformance in the reference folder (REFERENCE_DIR).
    """
    from engine.conformance.__main__ import main
    from engine.conformance.cases import load

    args = list(runner_args)
    if not args or args[0].startswith("-"):
        try:
            args.insert(0, str(reference.require(*CASES)))
        except reference.ReferenceMissingError as exc:
            raise StackError(str(exc)) from None
    envs = [tuple(sorted(tc.engine_env.items())) for tc in load(Path(args[0]))]
    with local_engines(state, workers, envs) as targets:
        engines: list[str] = []
        for t in targets:
            if t.env:
                spec = ",".join(f"{k}={v}" for k, v in t.env)
                engines += ["--env-engine", f"{spec}@{t.url}"]
            else:
                engines += ["--engine-url", t.url]
        code = main([*args, *engines, "--admin-secret", targets[0].admin_secret or "",
                     "--jwt-key", targets[0].jwt_key or ""])
    if code:
        raise SystemExit(code)
