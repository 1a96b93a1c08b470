"""Turn a PostgreSQL error raised by a SQL file into a message naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import psycopg


def describe_sql_error(path: Path, sql_text: str, exc: psycopg.Error) -> str:
    """A multi-line report: the file, the server's message, detail, hint and the failing line.

    Args:
        path: the SQL file that was run.
        sql_text: its content, exactly as sent (the server's position counts into it).
        exc: the error psycopg raised.
    """
    diag = exc.diag
    lines = [f"{path}: {diag.message_primary or str(exc).strip()}"]
    if diag.sqlstate:
        lines[0] += f" (SQLSTATE {diag.sqlstate})"
    location = _location(sql_text, diag.statement_position)
    if location is not None:
        line_no, column, text = location
        lines.append(f"  at line {line_no}, column {column}: {text.strip()}")
    for label, value in (("detail", diag.message_detail), ("hint", diag.message_hint),
                         ("context", diag.context)):
        if value:
            lines.append(f"  {label}: {value.strip()}")
    return "\n".join(lines)


def _location(sql_text: str, position: str | None) -> tuple[int, int, str] | None:
    """Line number, column and line text of a 1-based character position in ``sql_text``."""
    if not position or not position.isdigit():
        return None
    offset = int(position) - 1
    if not 0 <= offset <= len(sql_text):
        return None
    before = sql_text[:offset]
    line_no = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line_no, column, sql_text.splitlines()[line_no - 1] if sql_text else ""
