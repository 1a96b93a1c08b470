"""The SQL a server ran for one request, recovered from PostgreSQL's statement log.

With ``log_statement = 'all'`` PostgreSQL logs a simple query as ``statement: <sql>`` and
each execution of a prepared one as ``execute <name>: <sql>`` followed by
``DETAIL:  parameters: $1 = '...', ...``. Both the engine (asyncpg) and PostGraphile
(node-postgres) go through this, so one parser serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bench.load.sqlrunner import Statement

# log_line_prefix default '%m [%p] ': "2026-11-21 23:59:01.123 UTC [1234] LOG:  ..."
_MESSAGE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\w+):  (.*)$")
_EXECUTE = re.compile(r"^execute [^:]+: (.*)$", re.DOTALL)
_STATEMENT = re.compile(r"^statement: (.*)$", re.DOTALL)
_PARAM = re.compile(r"\$(\d+) = (NULL|'((?:[^']|'')*)')(?:, |$)", re.DOTALL)

# Statements no request runs on its own: driver housekeeping and catalog reads.
_SKIP = re.compile(
    r"^\s*(DISCARD|RESET|DEALLOCATE|LISTEN|UNLISTEN)\b|hdb_catalog|pg_catalog\.pg_(type|range|class)",
    re.IGNORECASE,
)


@dataclass
class LogMessage:
    """One log message (continuation lines joined)."""

    pid: int
    severity: str
    text: str


class LogCursor:
    """Reads what was appended to a log file since the last read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def read_new(self) -> str:
        """The text appended since the previous call (or since creation)."""
        with self.path.open("rb") as log:
            log.seek(self.offset)
            data = log.read()
        self.offset += len(data)
        return data.decode(errors="replace")


def parse_messages(text: str) -> list[LogMessage]:
    """Split log text into messages; continuation lines start with a tab."""
    messages: list[LogMessage] = []
    for line in text.splitlines():
        match = _MESSAGE.match(line)
        if match:
            messages.append(LogMessage(int(match[1]), match[2], match[3]))
        elif messages:
            messages[-1].text += "\n" + (line[1:] if line.startswith("\t") else line)
    return messages


def parse_parameters(detail: str) -> tuple[str | None, ...]:
    """``parameters: $1 = '4', $2 = NULL`` → ('4', None)."""
    body = detail.removeprefix("parameters: ")
    values: dict[int, str | None] = {}
    for match in _PARAM.finditer(body):
        values[int(match[1])] = None if match[2] == "NULL" else match[3].replace("''", "'")
    return tuple(values[index] for index in sorted(values))


def parse_statements(text: str) -> list[Statement]:
    """The statements executed in ``text`` (a slice of the log), with their parameters."""
    statements: list[Statement] = []
    pending: dict[int, int] = {}  # pid → index of its last execute awaiting a DETAIL
    for message in parse_messages(text):
        if message.severity == "LOG":
            executed = _EXECUTE.match(message.text)
            simple = _STATEMENT.match(message.text)
            if executed:
                pending[message.pid] = len(statements)
                statements.append(Statement(executed[1]))
            elif simple:
                pending.pop(message.pid, None)
                statements.append(Statement(simple[1]))
        elif message.severity == "DETAIL" and message.text.startswith("parameters: "):
            index = pending.pop(message.pid, None)
            if index is not None:
                statements[index] = Statement(statements[index].sql,
                                              parse_parameters(message.text))
    return [statement for statement in statements if not _SKIP.search(statement.sql)]
