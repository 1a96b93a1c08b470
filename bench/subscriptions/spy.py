"""Where the engine's time goes during a run: py-spy samples it from outside.

The engine is a separate process serving real sockets, so an in-process profiler would
change what it measures; py-spy (a dev dependency) reads its Python stacks ``rate`` times
a second without stopping it (``--nonblocking``) and only counts samples where the process
was running (not waiting in the event loop's poll). :func:`summarise` turns the collapsed
stacks into the functions with the most samples, by own time and including callees.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, or on ``PATH``."""
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


class Spy:
    """py-spy recording one process for ``seconds`` (started now, collected by :meth:`result`)."""

    def __init__(self, pid: int, seconds: float, out: Path, rate: int = 50) -> None:
        self.rate = rate
        self.seconds = seconds
        self.out = out
        exe = py_spy()
        self.process: subprocess.Popen[bytes] | None = None
        self.error: str | None = None
        if exe is None:
            self.error = "py-spy is not installed (a dev dependency: ./dev setup)"
            return
        self.process = subprocess.Popen(
            [exe, "record", "--pid", str(pid), "--duration", str(max(1, int(seconds))),
             "--rate", str(rate), "--format", "raw", "--nonblocking", "--output", str(out)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def result(self, top: int = 15) -> dict[str, Any]:
        """Wait for py-spy; the summary of its samples (or why there is none)."""
        if self.process is None:
            return {"error": self.error}
        output, _ = self.process.communicate(timeout=self.seconds + 120)
        if self.process.returncode != 0 or not self.out.exists():
            return {"error": output.decode(errors="replace")[-400:]}
        summary = summarise(self.out.read_text(), top)
        summary["on_cpu_fraction"] = round(summary["samples"] / (self.rate * self.seconds), 3)
        summary["raw"] = str(self.out)
        return summary


def _short(frame: str) -> str:
    """``func (path/to/module.py:12)`` as ``module.py:func``."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    return f"{Path(match['file']).name}:{match['func']}"


def summarise(raw: str, top: int = 15) -> dict[str, Any]:
    """The functions with the most samples in py-spy's collapsed stacks (``a;b;c count``).

    ``self``: samples whose innermost frame is the function; ``inclusive``: samples with
    the function anywhere on the stack (counted once per stack); both as % of all samples,
    leaving out the functions on nearly every stack (the entry chain).
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(";") if f]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for name in set(frames):
            inclusive[name] += n

    # The entry chain (runpy, asyncio.run, uvicorn's main) is on every stack that went
    # through the event loop: it says nothing about where the time goes.
    chain = max(inclusive.values(), default=0)

    def share(counter: Counter[str]) -> list[list[Any]]:
        ranked = [(name, n) for name, n in counter.most_common()
                  if counter is own or n < chain]
        return [[name, round(100 * n / total, 1)] for name, n in ranked[:top]]

    return {"samples": total, "self_percent": share(own) if total else [],
            "inclusive_percent": share(inclusive) if total else []}


def print_summary(summary: dict[str, Any]) -> None:
    """The summary, readable."""
    if "error" in summary:
        print(f"  profile: {summary['error']}", flush=True)
        return
    print(f"  profile: {summary['samples']} samples; the engine was busy (not waiting in "
          f"the event loop) at {100 * summary['on_cpu_fraction']:.0f}% of the sampling "
          f"instants", flush=True)
    for title, key in (("own time", "self_percent"), ("including callees", "inclusive_percent")):
        print(f"  {title}:", flush=True)
        for name, pct in summary[key]:
            print(f"    {pct:5.1f}%  {name}", flush=True)
