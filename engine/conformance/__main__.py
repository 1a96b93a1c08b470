"""``python -m engine.conformance DIR``: run a folder of Hasura conformance cases.

Targets ``--engine-url`` (with ``--admin-secret``, ``--jwt-key``): given more than once, the
engines (each on its own database) run classes in parallel. ``devstack conformance DIR``
starts a throw-away PostgreSQL and engines and runs this against them. Prints one line per class
and what failed (with a short diff) or was skipped, ends with the line
``N passed, M failed, K skipped`` and writes a JSON report (``--json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from engine.conformance.cases import Case, TestClass, load
from engine.conformance.compare import Outcome
from engine.conformance.runner import CaseResult, Runner
from engine.conformance.targets import Target, parse_env_target

_MARK = {Outcome.PASSED: "PASS", Outcome.MESSAGE_ONLY: "MSG", Outcome.FAILED: "FAIL",
         Outcome.SKIPPED: "SKIP"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m engine.conformance", description=__doc__)
    p.add_argument("dir", type=Path, help="folder holding manifest.json and the YAML cases")
    p.add_argument("--engine-url", action="append", required=True,
                   help="an engine to test, each on its own database; repeat to run classes in "
                   "parallel (`devstack conformance` starts them for you)")
    p.add_argument("--env-engine", action="append", default=[], metavar="NAME=VALUE@URL",
                   help="an engine started with that server environment, for the classes whose "
                   "hge_env marks ask for it")
    p.add_argument("--admin-secret", help="the engine's admin secret (sent with every request)")
    p.add_argument("--json", type=Path, dest="json_path", help="write the report here")
    p.add_argument("-k", dest="filter", default="",
                   help="only classes/cases whose name contains this text")
    p.add_argument("--jwt-key", help="the engine's HS256 JWT key: cases the original suite "
                   "runs without the admin secret send a token signed with it")
    p.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    p.add_argument("--transport", choices=("http", "websocket"), action="append",
                   help="only this transport (repeatable; default: every transport a class "
                        "lists)")
    return p


def summary_line(results: list[CaseResult]) -> str:
    """``N passed, M failed, K skipped``.

    A case whose only difference is an error message counts as failed here (the original
    harness only warns about it); how many of the failed are such is reported apart.
    """
    counts = Counter(r.outcome for r in results)
    failed = counts[Outcome.FAILED] + counts[Outcome.MESSAGE_ONLY]
    return f"{counts[Outcome.PASSED]} passed, {failed} failed, {counts[Outcome.SKIPPED]} skipped"


def report(results: list[CaseResult], classes: list[TestClass]) -> dict[str, object]:
    """The JSON report: totals, per transport, per class, per case."""
    per_class: dict[str, dict[str, int]] = {}
    by_transport: dict[str, dict[str, int]] = {}
    for r in results:
        per_class.setdefault(r.cls, {o.value: 0 for o in Outcome})[r.outcome.value] += 1
        by_transport.setdefault(r.transport, {o.value: 0 for o in Outcome})[r.outcome.value] += 1
    counts = Counter(r.outcome.value for r in results)
    return {
        "summary": summary_line(results),
        "totals": {o.value: counts[o.value] for o in Outcome},
        "transports": by_transport,
        "classes": per_class,
        "cases": [{"class": r.cls, "test": r.test, "file": r.file, "transport": r.transport,
                   "outcome": r.outcome.value, "reason": r.reason, "diff": r.diff,
                   "seconds": round(r.seconds, 3)}
                  for r in results],
    }


def _selector(tc: TestClass, text_filter: str) -> Callable[[Case], bool]:
    def selected(c: Case) -> bool:
        return (not text_filter or text_filter in tc.name or text_filter in c.test
                or text_filter in c.file.name)
    return selected


def class_line(name: str, class_results: list[CaseResult]) -> str:
    """``<class>: N passed, N failed (N message only), N skipped``."""
    counts = Counter(r.outcome for r in class_results)
    failed = counts[Outcome.FAILED] + counts[Outcome.MESSAGE_ONLY]
    return (f"{name}: {counts[Outcome.PASSED]} passed, {failed} failed "
            f"({counts[Outcome.MESSAGE_ONLY]} message only), {counts[Outcome.SKIPPED]} skipped")


def _print_class(name: str, class_results: list[CaseResult], quiet: bool) -> None:
    print(class_line(name, class_results), flush=True)
    for r in class_results:
        if quiet and r.outcome in (Outcome.PASSED, Outcome.MESSAGE_ONLY):
            continue
        extra = f" ({r.reason})" if r.reason else ""
        via = "" if r.transport == "http" else f" [{r.transport}]"
        print(f"  {_MARK[r.outcome]:5} {r.test}{via}{extra}")
        if r.outcome in (Outcome.FAILED, Outcome.MESSAGE_ONLY):
            for line in r.diff[:6]:
                print(f"        {line}")


async def run(classes: list[TestClass], targets: Target | Sequence[Target], text_filter: str,
              quiet: bool, transports: tuple[str, ...] = ("http", "websocket"),
              ) -> list[CaseResult]:
    """Run the classes, each on a target free at the time (in parallel), printing as they end.

    A class with ``hge_env`` marks runs on the target started with that environment when
    there is one; results come back in manifest order.
    """
    pool = [targets] if isinstance(targets, Target) else list(targets)
    env_keys = {t.env for t in pool}
    queues: dict[tuple[tuple[str, str], ...], asyncio.Queue[tuple[int, TestClass]]] = {
        env: asyncio.Queue() for env in env_keys}
    # Longest classes first, so the parallel run ends evenly.
    order = sorted(enumerate(classes), key=lambda ic: -len(ic[1].cases))
    for index, tc in order:
        env = tuple(sorted(tc.engine_env.items()))
        queues[env if env in queues else ()].put_nowait((index, tc))
    done: dict[int, list[CaseResult]] = {}

    async def worker(target: Target) -> None:
        runner = Runner(target.url, target.admin_secret, jwt_key=target.jwt_key,
                        transports=transports)
        queue = queues[target.env]
        try:
            while not queue.empty():
                index, tc = queue.get_nowait()
                class_results = await runner.run_class(tc, _selector(tc, text_filter))
                done[index] = class_results
                if class_results:
                    _print_class(tc.name, class_results, quiet)
        finally:
            await runner.close()

    await asyncio.gather(*(worker(t) for t in pool))
    return [r for i in sorted(done) for r in done[i]]


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit status 1 when a case failed."""
    args = _parser().parse_args(argv)
    classes = load(args.dir)
    started = time.perf_counter()
    targets = [Target(url, args.admin_secret, args.jwt_key) for url in args.engine_url]
    targets += [parse_env_target(spec, args.admin_secret, args.jwt_key)
                for spec in args.env_engine]
    transports = tuple(args.transport or ("http", "websocket"))
    results = asyncio.run(run(classes, targets, args.filter, args.quiet, transports))
    data = report(results, classes)
    if args.json_path:
        args.json_path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    for transport in transports:
        over = [r for r in results if r.transport == transport]
        if over:
            print(f"{transport}: {summary_line(over)}")
    counts = Counter(r.outcome for r in results)
    total = len(results) or 1
    print(f"{counts[Outcome.MESSAGE_ONLY]} of the failed differ only in an error message; "
          f"pass rate {100 * counts[Outcome.PASSED] / total:.1f}%")
    print(f"wall time {time.perf_counter() - started:.1f} s")
    print(summary_line(results))
    return 1 if any(r.outcome in (Outcome.FAILED, Outcome.MESSAGE_ONLY) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
