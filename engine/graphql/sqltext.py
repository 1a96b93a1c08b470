"""Small pieces of SQL text: JSON text built by concatenation, and string literals.

Rows are rendered as JSON *text* rather than with ``json_build_object``/``json_agg``:
PostgreSQL spends most of a large result's time building JSON values, and concatenating
``to_json(value)::text`` with constant keys and punctuation is measurably cheaper (and
omits the ``" : "``/``", "`` spacing ``json_build_object`` adds). ``to_json`` renders every
scalar exactly as ``json_build_object`` does (the same conversion, per type).

Every expression these helpers build is text holding valid JSON and is never SQL NULL
(a NULL anywhere in a ``||`` chain would blank the whole object).

What each piece costs PostgreSQL (instructions per value, PostgreSQL 15): ``to_json`` looks
the value's type up in the catalog caches on every call (about 1,200 of its 2,600), so types
whose text output already is their JSON (integers, booleans) are cast to text instead (about
1,100 less per value); and a nested object's concatenation is spliced into its parent's, one
chain per row instead of a chain per object (each ``||`` copies the text built so far).
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


PLAIN_JSON_TYPES = frozenset({"int2", "int4", "int8", "bool"})
"""Types whose text output is their JSON: the digits ``to_json`` writes, ``true``/``false``.
(Not floats or numeric, which ``to_json`` quotes when NaN or infinite, nor ``oid``, which it
quotes always.) Names as :attr:`engine.catalog.Column.type` spells ``pg_catalog`` types."""


class PlainJson(str):
    """The SQL of a value's JSON text that holds no quote, backslash or control character.

    An integer's or boolean's text, or ``null``: a statement whose answer the engine checks
    for escaping (:mod:`~engine.graphql.bare_strings`) knows such a value adds no quote.
    """


def json_value(expr: str, sql_type: str = "") -> str:
    """A SQL value as JSON text (``null`` for NULL); ``sql_type`` is the value's type if known."""
    if sql_type in PLAIN_JSON_TYPES:
        return PlainJson(f"coalesce(({expr})::text, 'null')")
    return f"coalesce(to_json({expr})::text, 'null')"


def json_count(expr: str) -> str:
    """A count (``bigint``, never NULL) as JSON text."""
    return f"({expr})::text"


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


def json_array(rows: str, order: str = "", lead: str = "", trail: str = "") -> str:
    """The JSON text of an array aggregating JSON text ``rows`` (``[]`` when none).

    ``lead`` and ``trail`` are JSON text every element starts and ends with that ``rows``
    leaves out (see :func:`split_object`): they go in ``string_agg``'s delimiter.
    """
    if not lead and not trail:
        return f"'[' || coalesce(string_agg({rows}, ','{order}), '') || ']'"
    return (f"coalesce({literal('[' + lead)} || string_agg({rows}, "
            f"{literal(trail + ',' + lead)}{order}) || {literal(trail + ']')}, '[]')")


def split_object(obj: str) -> tuple[str, str, str]:
    """``obj`` as (constant start, the SQL between, constant end), for :func:`json_array`.

    An object's JSON text starts with ``{"<first key>":`` and ends with ``}`` (more when its
    last value is a nested object): constants that need not be concatenated to every row,
    since they can sit in the aggregate's delimiter (two copies of each row's text fewer).
    An object that is not such a concatenation comes back whole, between empty constants.
    """
    if not isinstance(obj, Concatenation) or len(obj.parts) < 3:
        return "", obj, ""
    first, last = obj.parts[0], obj.parts[-1]
    if not isinstance(first, Const) or not isinstance(last, Const):
        return "", obj, ""
    return first.text, concat(list(obj.parts[1:-1])), last.text


def json_objects(obj: str, order: str = "") -> str:
    """The JSON text of an array aggregating the objects ``obj`` (``[]`` when none)."""
    lead, row, trail = split_object(obj)
    return json_array(row, order, lead, trail)


class Concatenation(str):
    """The SQL text of a concatenation that remembers its parts.

    A concatenation given as a part of another is spliced into it (``||`` is associative and
    no part is NULL), so nested objects make one chain: ``'{"a":{"b":' || x || '}}'``
    rather than ``'{"a":' || ('{"b":' || x || '}') || '}'``, which copies the text once more
    per level of nesting.
    """

    parts: tuple[JsonPart, ...]

    def __new__(cls, text: str, parts: tuple[JsonPart, ...]) -> Concatenation:
        """``text`` (the rendered chain) made of ``parts``."""
        made = super().__new__(cls, text)
        made.parts = parts
        return made


class FoundObject(str):
    """``CASE WHEN <key> IS NULL THEN 'null' ELSE <object> END``: a related row's object.

    An object relationship whose row may be missing; ``key`` is NULL exactly when it is.
    The object's concatenation is kept (:attr:`obj`) so that it can be rebuilt with other
    values (:mod:`~engine.graphql.bare_strings`).
    """

    key: str
    obj: str

    def __new__(cls, key: str, obj: str) -> FoundObject:
        """The object ``obj`` where ``key`` is not NULL, else ``null``."""
        made = super().__new__(cls, f"CASE WHEN {key} IS NULL THEN 'null' ELSE {obj} END")
        made.key = key
        made.obj = obj
        return made


def concat(parts: list[JsonPart]) -> str:
    """SQL concatenation of the parts, adjacent constants merged into one literal."""
    flat: list[JsonPart] = []
    for part in parts:
        if isinstance(part, Concatenation):
            flat.extend(part.parts)
        else:
            flat.append(part)
    out: list[str] = []
    merged: list[JsonPart] = []
    pending = ""
    for part in flat:
        if isinstance(part, Const):
            pending += part.text
            continue
        if pending:
            out.append(literal(pending))
            merged.append(Const(pending))
            pending = ""
        out.append(part)
        merged.append(part)
    if pending or not out:
        out.append(literal(pending))
        merged.append(Const(pending))
    if len(out) == 1:
        return out[0]
    return Concatenation("(" + " || ".join(out) + ")", tuple(merged))


def literal(text: str) -> str:
    """A SQL string literal (an escape-string one when it holds backslashes).

    The escape form reads the same whatever ``standard_conforming_strings`` is.
    """
    quoted = text.replace("'", "''")
    if "\\" in text:
        return "E'" + quoted.replace("\\", "\\\\") + "'"
    return "'" + quoted + "'"
