"""``python -m bench.chinook``: run the Chinook benchmark and print its tables."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.chinook.main import run
from bench.chinook.report import render
from bench.chinook.run_state import Options
from devstack.reference import ReferenceMissingError


def parse_args(argv: list[str]) -> tuple[Options, Path | None]:
    """Options from the command line (``--report FILE`` reprints a stored result)."""
    parser = argparse.ArgumentParser(prog="python -m bench.chinook", description=__doc__)
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds per closed-loop run (default 10)")
    parser.add_argument("--open-duration", type=float, default=10.0,
                        help="seconds per constant-arrival-rate run (default 10)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--case", action="append", default=[],
                        help="only this case (repeatable), e.g. simple_query")
    parser.add_argument("--target", action="append", default=[],
                        choices=["engine", "engine_workers", "http_floor", "floor",
                                 "floor_busy", "engine_cached", "postgraphile",
                                 "postgraphile_sql"],
                        help="only this target (repeatable); engine_workers is the engine "
                             "run as several processes on one port, http_floor the engine's "
                             "SQL behind a minimal uvloop/httptools/asyncpg server (the "
                             "ceiling of the engine's HTTP path), floor_busy the floor "
                             "with a client that spends --floor-busy-us of CPU per request "
                             "(none of the three in the default set)")
    parser.add_argument("--floor-busy-us", type=float, default=150.0,
                        help="CPU per request of the floor_busy runner, in µs (default 150)")
    parser.add_argument("--http-floor-busy-us", type=float, default=0.0,
                        help="CPU per request the http_floor server spends besides serving, "
                             "in µs (default 0: the ceiling)")
    parser.add_argument("--engine-workers", type=int, default=2,
                        help="worker processes of the engine_workers target (default 2)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="split each closed-loop run into rounds, targets alternating")
    parser.add_argument("--no-open-loop", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-sql-shape", action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="2 s runs at concurrency 8, no open loop: a smoke run")
    parser.add_argument("--report", type=Path, help="print the tables of a stored result")
    args = parser.parse_args(argv)
    options = Options(
        duration_s=args.duration, open_duration_s=args.open_duration,
        concurrencies=tuple(args.concurrency), cases=tuple(args.case),
        open_loop=not args.no_open_loop, profile=not args.no_profile, rounds=args.rounds,
        sql_shape=not args.no_sql_shape, engine_workers=args.engine_workers,
        floor_busy_us=args.floor_busy_us, http_floor_busy_us=args.http_floor_busy_us,
    )
    if args.target:
        options.targets = tuple(args.target)
    if args.quick:
        options.duration_s, options.warmup_s, options.concurrencies = 2.0, 0.5, (8,)
        options.rounds = 1
        options.open_loop = False
    return options, args.report


def main(argv: list[str] | None = None) -> int:
    """Run (or reprint) and print the tables."""
    options, stored = parse_args(sys.argv[1:] if argv is None else argv)
    if stored is not None:
        print(render(json.loads(stored.read_text())))
        return 0
    try:
        report = run(options)
    except ReferenceMissingError as exc:
        print(f"bench.chinook: {exc}", file=sys.stderr)
        return 2
    print()
    print(render(report))
    print(f"\nresults: {report['results_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
