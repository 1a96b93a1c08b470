"""Small pieces of SQL text: JSON text built by concatenation, and string literals.

Rows are rendered as JSON *text* rather than with ``json_build_object``/``json_agg``:
PostgreSQL spends most of a large result's time building JSON values, and concatenating
``to_json(value)::text`` with constant keys and punctuation is measurably cheaper (and
omits the ``" : "``/``", "`` spacing ``json_build_object`` adds). ``to_json`` renders every
scalar exactly as ``json_build_object`` does (the same conversion, per type).

Every expression these helpers build is text holding valid JSON and is never SQL NULL
(a NULL anywhere in a ``||`` chain would blank the whole object).
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Const:
    """A piece of JSON text known when compiling (merged with its neighbours)."""

    text: str


JsonPart = str | Const
"""A JSON text expression (SQL, never NULL) or a constant piece of JSON."""


def json_value(expr: str) -> str:
    """A SQL value of any type as JSON text (``null`` for NULL)."""
    return f"coalesce(to_json({expr})::text, 'null')"


def json_string(text: str) -> Const:
    """A string known when compiling (``__typename``) as a JSON string."""
    return Const(json.dumps(text, ensure_ascii=False))


def or_null(expr: str) -> str:
    """A JSON text subquery that may yield no row or NULL, with ``null`` then."""
    return f"coalesce({expr}, 'null')"


def json_object(pairs: list[tuple[str, JsonPart]]) -> str:
    """The JSON text of an object from (key, JSON text) pairs, as one concatenation."""
    parts: list[JsonPart] = [Const("{")]
    for i, (key, value) in enumerate(pairs):
        # Keys are response aliases from the query text: encoded as JSON here, then as
        # a SQL literal by ``concat``; never spliced raw.
        parts.append(Const(("," if i else "") + json.dumps(key, ensure_ascii=False) + ":"))
        parts.append(value)
    parts.append(Const("}"))
    return concat(parts)


def json_array(rows: str, order: str = "") -> str:
    """The JSON text of an array aggregating JSON text ``rows`` (``[]`` when none)."""
    return f"'[' || coalesce(string_agg({rows}, ','{order}), '') || ']'"


def concat(parts: list[JsonPart]) -> str:
    """SQL concatenation of the parts, adjacent constants merged into one literal."""
    out: list[str] = []
    pending = ""
    for part in parts:
        if isinstance(part, Const):
            pending += part.text
            continue
        if pending:
            out.append(literal(pending))
            pending = ""
        out.append(part)
    if pending or not out:
        out.append(literal(pending))
    if len(out) == 1:
        return out[0]
    return "(" + " || ".join(out) + ")"


def literal(text: str) -> str:
    """A SQL string literal (an escape-string one when it holds backslashes).

    The escape form reads the same whatever ``standard_conforming_strings`` is.
    """
    quoted = text.replace("'", "''")
    if "\\" in text:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"
