"""``python -m engine.conformance DIR``: run a folder of Hasura conformance cases.

Targets ``--engine-url`` (with ``--admin-secret``); ``devstack conformance DIR`` starts a
throw-away PostgreSQL and engine and runs this against them.
Prints per class what passed, failed (with a short diff) or was skipped, ends with the line
``N passed, M failed, K skipped`` and writes a JSON report (``--json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from engine.conformance.cases import Case, TestClass, load
from engine.conformance.compare import Outcome
from engine.conformance.runner import CaseResult, Runner

_MARK = {Outcome.PASSED: "PASS", Outcome.MESSAGE_ONLY: "PASS~", Outcome.FAILED: "FAIL",
         Outcome.SKIPPED: "SKIP"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m engine.conformance", description=__doc__)
    p.add_argument("dir", type=Path, help="folder holding manifest.json and the YAML cases")
    p.add_argument("--engine-url", required=True,
                   help="the engine to test (`devstack conformance` starts one for you)")
    p.add_argument("--admin-secret", help="the engine's admin secret (sent with every request)")
    p.add_argument("--json", type=Path, dest="json_path", help="write the report here")
    p.add_argument("-k", dest="filter", default="",
                   help="only classes/cases whose name contains this text")
    p.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    p.add_argument("--transport", choices=("http", "websocket"), action="append",
                   help="only this transport (repeatable; default: every transport a class "
                        "lists)")
    return p


def summary_line(results: list[CaseResult]) -> str:
    """``N passed, M failed, K skipped``.

    Message-only differences are their own category: neither passed nor failed here, counted
    on the line before it and in the JSON report.
    """
    counts = Counter(r.outcome for r in results)
    return (f"{counts[Outcome.PASSED]} passed, {counts[Outcome.FAILED]} failed, "
            f"{counts[Outcome.SKIPPED]} skipped")


def report(results: list[CaseResult], classes: list[TestClass]) -> dict[str, object]:
    """The JSON report: totals, per class, per case."""
    per_class: dict[str, dict[str, int]] = {}
    for r in results:
        entry = per_class.setdefault(r.cls, {o.value: 0 for o in Outcome})
        entry[r.outcome.value] += 1
    counts = Counter(r.outcome.value for r in results)
    by_transport: dict[str, dict[str, int]] = {}
    for r in results:
        totals = by_transport.setdefault(r.transport, {o.value: 0 for o in Outcome})
        totals[r.outcome.value] += 1
    return {
        "summary": summary_line(results),
        "totals": {o.value: counts[o.value] for o in Outcome},
        "transports": by_transport,
        "classes": per_class,
        "cases": [{"class": r.cls, "test": r.test, "file": r.file, "transport": r.transport,
                   "outcome": r.outcome.value,
                   "reason": r.reason, "diff": r.diff, "seconds": round(r.seconds, 3)}
                  for r in results],
    }


async def run(classes: list[TestClass], url: str, secret: str | None, text_filter: str,
              quiet: bool, transports: tuple[str, ...] = ("http", "websocket"),
              ) -> list[CaseResult]:
    """Run the classes and print as it goes (each class over the transports it lists)."""
    runner = Runner(url, secret, transports=transports)

    def keep(tc: TestClass) -> Callable[[Case], bool]:
        def selected(c: Case) -> bool:
            return (not text_filter or text_filter in tc.name or text_filter in c.test
                    or text_filter in c.file.name)
        return selected

    results: list[CaseResult] = []
    try:
        for tc in classes:
            selector = keep(tc)
            chosen: list[Case] = [c for c in tc.cases if selector(c)]
            if not chosen:
                continue
            class_results = await runner.run_class(tc, selector)
            results.extend(class_results)
            counts = Counter(r.outcome for r in class_results)
            print(f"{tc.name}: {counts[Outcome.PASSED]} passed, "
                  f"{counts[Outcome.MESSAGE_ONLY]} passed with message difference, "
                  f"{counts[Outcome.FAILED]} failed, {counts[Outcome.SKIPPED]} skipped")
            for r in class_results:
                if quiet and r.outcome in (Outcome.PASSED, Outcome.MESSAGE_ONLY):
                    continue
                extra = f" ({r.reason})" if r.reason else ""
                via = "" if r.transport == "http" else f" [{r.transport}]"
                print(f"  {_MARK[r.outcome]:5} {r.test}{via}{extra}")
                if r.outcome in (Outcome.FAILED, Outcome.MESSAGE_ONLY):
                    for line in r.diff[:6]:
                        print(f"        {line}")
    finally:
        await runner.close()
    return results


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit status 1 when a case failed."""
    args = _parser().parse_args(argv)
    classes = load(args.dir)
    transports = tuple(args.transport or ("http", "websocket"))
    results = asyncio.run(run(classes, args.engine_url, args.admin_secret, args.filter,
                              args.quiet, transports))
    data = report(results, classes)
    if args.json_path:
        args.json_path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    for transport in transports:
        over = [r for r in results if r.transport == transport]
        if over:
            print(f"{transport}: {summary_line(over)}")
    counts = Counter(r.outcome for r in results)
    total = len(results) or 1
    print(f"{counts[Outcome.MESSAGE_ONLY]} passed with message-only difference; "
          f"pass rate {100 * counts[Outcome.PASSED] / total:.1f}%")
    print(summary_line(results))
    return 1 if any(r.outcome is Outcome.FAILED for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
