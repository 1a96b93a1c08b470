"""Turn pip's and npm's output into short progress lines while ``./dev setup`` installs.

Runs with the system Python before ``.venv`` exists, so it uses the standard library only:
``pip install ... 2>&1 | python3 devstack/install_progress.py pip``. Errors pass through
whole; routine lines become one counted line each (pip) or one line every few seconds (npm).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator

_ERROR = re.compile(r"^(ERROR|error|npm ERR!|npm error)\b")
_NPM_FETCH = re.compile(r"^npm (http fetch|verbose|timing reify)")
EVERY_S = 2.0
"""Seconds between two progress lines for a stream of routine lines."""


def pip_lines(lines: Iterable[str], clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """Progress lines for pip's output: each package collected, downloads, the install.

    Requirements already installed are counted and reported every few seconds (checking
    them against the index is most of a re-run's time).
    """
    start = last = clock()
    collected = satisfied = 0
    for raw in lines:
        line = raw.rstrip()
        now = clock()
        elapsed = f"[{now - start:4.0f}s]"
        if line.startswith("Requirement already satisfied"):
            satisfied += 1
            if now - last >= EVERY_S:
                last = now
                yield f"  {elapsed} pip: {satisfied} requirements already satisfied"
        elif line.strip().endswith(": started"):
            # A step of building the project itself (build dependencies, metadata, wheel).
            yield f"  {elapsed} pip: {line.strip().removesuffix(': started')} ..."
        elif line.startswith("Collecting "):
            collected += 1
            yield f"  {elapsed} pip: {collected:3d} collecting {line.split()[1]}"
        elif line.lstrip().startswith("Downloading "):
            yield f"  {elapsed} pip:     downloading {line.split(' ', 3)[-1].strip()}"
        elif line.startswith("Installing collected packages"):
            count = len(line.partition(":")[2].split(","))
            yield f"  {elapsed} pip: installing {count} packages (no output until done)"
        elif line.startswith("Successfully installed"):
            yield f"  {elapsed} pip: installed {len(line.split()) - 2} packages"
        elif _ERROR.match(line):
            yield line


def npm_lines(lines: Iterable[str], clock: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """Progress lines for ``npm ci --loglevel=http``: fetches counted, every few seconds."""
    start = last = clock()
    fetched = 0
    for raw in lines:
        line = raw.rstrip()
        now = clock()
        if _NPM_FETCH.match(line):
            fetched += 1
            if now - last >= EVERY_S:
                last = now
                yield f"  [{now - start:4.0f}s] npm: {fetched} fetched from the registry"
        elif line.startswith(("added ", "removed ", "changed ", "up to date")):
            yield f"  [{now - start:4.0f}s] npm: {line}"
        elif _ERROR.match(line):
            yield line


def main(argv: list[str]) -> int:
    """Filter stdin to stdout for ``pip`` or ``npm`` (the first argument)."""
    if len(argv) != 1 or argv[0] not in ("pip", "npm"):
        print("usage: install_progress.py pip|npm", file=sys.stderr)
        return 2
    filters = {"pip": pip_lines, "npm": npm_lines}
    for line in filters[argv[0]](sys.stdin):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
