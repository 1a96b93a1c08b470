"""The command line's consoles: rich output on a terminal, whole lines everywhere else.

Rich lays tables out for 80 columns when the output is not a terminal (a pipe, a CI log, a
file), cutting URLs to ``http://127.0.0.1:9…``. Off a terminal the width is unbounded, so a
table is as wide as its content and nothing is cut.
"""

from __future__ import annotations

from rich.console import Console

UNBOUNDED = 10_000
"""The width used off a terminal: wider than any row, so a table keeps every character."""


def make_console(stderr: bool = False) -> Console:
    """A console that never truncates when its output is not a terminal."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        console = Console(stderr=stderr, highlight=False, width=UNBOUNDED, soft_wrap=True)
    return console


console = make_console()
err_console = make_console(stderr=True)
