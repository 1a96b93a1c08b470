"""Strings sent bare: a row's strings quoted without ``to_json`` when none needs escaping.

``to_json(text)`` costs PostgreSQL about 2,600 instructions a value: it looks the type up in
the catalog caches on every call, while most strings need no escaping at all. A row of a row
set (:func:`~engine.graphql.row_sets.rows_array`) holding two or more text or varchar values
therefore asks once whether any of them needs escaping, with a regular expression over their
concatenation that matches exactly the characters ``to_json`` escapes (a quote, a backslash,
a character below U+0020: :data:`NEEDS_ESCAPING`), and then builds the row either with
``'"' || value || '"'`` or, when one does, as before with ``to_json`` for every value. The
answer is the same bytes either way.

One test per row costs about as much as one ``to_json``, so rows with a single string keep
``to_json``. A row whose expression holds a subquery (a nested row set, an aggregate) keeps
it too: both branches would repeat the subquery's text. Values in a subquery of the row (an
object relationship without a unique key, an aggregate's nodes) are not the row's own and
keep ``to_json`` (:func:`outside_row`).

While a row is compiled, each of its strings is a marker in the SQL text (a NUL, which no
compiled SQL holds otherwise), replaced by one form or the other when the row is finished.

A string that cannot be NULL (a NOT NULL column of the row's table, or of a row a key
guarantees) needs no ``coalesce`` in the bare form, and its quotes join the constants
around it: ``'","Album":'`` rather than ``'"' || ... || ',"Album":'``, two ``||`` fewer (each
copies the row's text so far).

A root field's row set whose rows hold only strings, integers, booleans and constants has a
second statement (:class:`BareAnswer`): every string bare, no test in PostgreSQL, and the
counts the engine needs to check the answer exactly (its rows, its nullable strings that are
not NULL). The engine runs it first and runs the ``to_json`` statement only when the check
fails: a string needed escaping. The test moves out of PostgreSQL: on a list of 20 e-mail
addresses, the statement costs PostgreSQL about 131,000 instructions instead of 182,000, the
check costs the engine about 2 µs.

Where the data often needs escaping, running both statements would cost more than the
``to_json`` one alone: after :data:`REFUSALS_BEFORE_REST` refusals in a row, a field's next
:data:`REST` answers come from the ``to_json`` statement directly, then the bare one is tried
again (the data may have changed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.graphql.sqltext import (
    Concatenation,
    Const,
    FoundObject,
    JsonPart,
    PlainJson,
    concat,
    json_array,
    json_value,
    literal,
    split_object,
)

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler

BARE_STRING_TYPES = frozenset({"text", "varchar"})
"""Types whose JSON is their text between quotes once escaped (not ``bpchar``: ``||`` drops
its padding, which ``to_json`` keeps)."""

_MARKER = re.compile("\x00([0-9]+)\x00")
_CONTROL = re.compile("[\x00-\x1f]")
NEEDS_ESCAPING = r"""E'[\x01-\x1f"\\\\]'"""
"""A regular expression (a SQL escape string) matching exactly the characters that
``to_json`` escapes in a string: a quote, a backslash, a character below U+0020 (text holds
no NUL). The escape string turns the hexadecimal escapes into those characters and the four
backslashes into the expression's escaped backslash."""
REFUSALS_BEFORE_REST = 4
"""Refused bare answers in a row after which a field rests from its bare statement."""
REST = 64
"""Answers a resting field takes from its ``to_json`` statement before it tries again."""
_SUSPECT = bytes(ord('"') if byte < 0x20 or byte == ord("\\") else byte for byte in range(256))
"""Byte translation: characters below U+0020 and backslashes become quotes."""


@dataclass
class RowStrings:
    """The string values of the row being compiled, by marker number."""

    values: dict[int, str] = field(default_factory=dict)
    nullable: dict[int, bool] = field(default_factory=dict)
    """Whether the value may be NULL in a row of the row set, by marker number."""


def bare_string(c: Compiler, expr: str, nullable: bool = True) -> str | None:
    """``expr`` (text or varchar) as a marker of the current row, or None outside a row.

    ``nullable`` False promises a value in every row (a NOT NULL column of the row's table,
    or of a row a key guarantees; a value inside a ``CASE`` may promise it for that branch).
    """
    frame = c.row_strings[-1] if c.row_strings else None
    if frame is None or c.relay:
        return None
    c.markers += 1
    frame.values[c.markers] = expr
    frame.nullable[c.markers] = nullable
    return f"\x00{c.markers}\x00"


@contextmanager
def row_strings(c: Compiler, frame: RowStrings | None) -> Iterator[None]:
    """Compile a row (``frame``) or a subquery of one (None) with its own string markers."""
    c.row_strings.append(frame)
    try:
        yield
    finally:
        c.row_strings.pop()


def outside_row(c: Compiler) -> AbstractContextManager[None]:
    """Compile a subquery of the row: its strings keep ``to_json``."""
    return row_strings(c, None)


def finish_row(frame: RowStrings, row: str) -> str:
    """The row's SQL with its markers replaced: one test, then bare strings or ``to_json``.

    The test looks for a character that ``to_json`` escapes in the strings' concatenation
    with a regular expression (:data:`NEEDS_ESCAPING`), which costs PostgreSQL less than
    escaping it (``to_json`` looks its type up on every call) and comparing lengths.
    """
    if not frame.values:
        return row
    ordinary = _MARKER.sub(lambda m: json_value(frame.values[int(m.group(1))], "text"), row)
    if len(frame.values) < 2 or "SELECT" in row:
        return ordinary
    every = " || ".join(f"coalesce({e}, '')" for e in frame.values.values())
    return (f"CASE WHEN ({every}) ~ {NEEDS_ESCAPING} "
            f"THEN {ordinary} ELSE {bare_row(frame, row)} END")


def bare_row(frame: RowStrings, obj: str) -> str:
    """The row with every string bare.

    A string that cannot be NULL becomes ``'"'``, the value, ``'"'`` in the row's chain (or
    in the chain of the related row's object that holds it), so its quotes merge with the
    constants around it. A nullable string takes the constants around it into both of its
    forms (``coalesce(',"Name":"' || value || '"}', ',"Name":null}')``): two ``||`` of the
    chain fewer. The row's first and last constants stay where they are (a row set moves
    them into ``string_agg``'s delimiter, see :func:`split_object`).
    """
    def inline(m: re.Match[str]) -> str:
        number = int(m.group(1))
        expr = frame.values[number]
        if frame.nullable[number]:
            return f"coalesce('\"' || {expr} || '\"', 'null')"
        return f"('\"' || {expr} || '\"')"

    def bare(obj: str, keep_ends: bool) -> str:
        if isinstance(obj, FoundObject):
            return FoundObject(obj.key, bare(obj.obj, False))
        if not isinstance(obj, Concatenation):
            return _MARKER.sub(inline, obj)
        parts: list[JsonPart] = []
        last = len(obj.parts) - 1
        skip = False
        for index, part in enumerate(obj.parts):
            if skip:
                skip = False
                continue
            whole = _MARKER.fullmatch(part) if isinstance(part, str) else None
            if whole is not None and frame.nullable[int(whole.group(1))]:
                before = ""
                while parts and isinstance(parts[-1], Const) and (len(parts) > 1
                                                                  or not keep_ends):
                    before = parts.pop().text + before  # type: ignore[union-attr]
                after = ""
                following = obj.parts[index + 1] if index < last else None
                if isinstance(following, Const) and (index + 1 < last or not keep_ends):
                    after = following.text
                    skip = True
                opening, closing = literal(before + '"'), literal('"' + after)
                expr = frame.values[int(whole.group(1))]
                parts.append(f"coalesce({opening} || {expr} || {closing}, "
                             f"{literal(before + 'null' + after)})")
            elif whole is not None:
                parts.extend([Const('"'), frame.values[int(whole.group(1))], Const('"')])
            elif isinstance(part, Const) or "\x00" not in part:
                parts.append(part)
            else:
                parts.append(bare(part, False))
        return concat(parts)

    return bare(obj, True)


def _quotes(frame: RowStrings, obj: str) -> int:
    """Quotes of an object's constants, with the two of each string that cannot be NULL."""
    if not isinstance(obj, Concatenation):
        return 0
    quotes = 0
    for part in obj.parts:
        if isinstance(part, Const):
            quotes += part.text.count('"')
        elif (whole := _MARKER.fullmatch(part)) is not None \
                and not frame.nullable[int(whole.group(1))]:
            quotes += 2
    return quotes


@dataclass
class BareAnswer:
    """A root field's statement with every string bare, and how to check its answer.

    Its first column is the answer built with ``'"' || value || '"'`` for every string, the
    second how many rows (objects) it holds, the third (with :attr:`counts_more`) how many
    quotes the values that may be missing add: two per nullable string that is not NULL,
    the constants of a related row's object (an object relationship whose row may be
    missing) when it is there. The answer is the ``to_json`` statement's, byte for byte,
    when no string needed escaping, and :meth:`answer` says exactly when:

    - PostgreSQL's JSON escaping changes only quotes, backslashes and characters below U+0020,
      so an answer holding no backslash and no such character has no string that holds
      one;
    - every quote of the answer comes from its constants (keys, the quotes around strings:
      :attr:`quotes` per row, plus the third column) or from inside a string: with exactly
      as many quotes as the constants put there, no string holds one.

    Values other than strings are integers, booleans and ``null`` (:class:`PlainJson`):
    no quote, backslash or control character. A row with anything else (a subquery, any
    other type) gets no bare statement.
    """

    sql: str
    quotes: int
    """Quotes each row's constants put in the answer (the array's ``[``/``]`` have none)."""
    counts_more: bool
    refused: int = 0
    """Answers refused by the check (the field was answered by the ``to_json`` statement)."""
    streak: int = 0
    """Answers refused since the last one that passed."""
    resting: int = 0
    """Answers still to take from the ``to_json`` statement without trying this one."""
    rested: int = 0
    """Answers taken from the ``to_json`` statement while resting."""

    def worth_trying(self) -> bool:
        """Whether to run this statement for the next answer (False while resting)."""
        if self.resting:
            self.resting -= 1
            self.rested += 1
            return False
        return True

    def answer(self, text: str, rows: int, more: int) -> bytes | None:
        """``text`` (as UTF-8) when it is the ``to_json`` statement's answer, else None.

        One pass counts the quotes, backslashes and characters below U+0020 together (as
        quotes, :data:`_SUSPECT`): the constants put exactly the expected quotes there and
        no backslash or control character, a string only adds, so the count is the
        expected one only when no string holds any of them. In UTF-8 those characters are
        single bytes that no other character's bytes contain.
        """
        data = text.encode()
        if data.translate(_SUSPECT).count(b'"') != rows * self.quotes + more:
            self.refused += 1
            self.streak += 1
            if self.streak >= REFUSALS_BEFORE_REST:
                self.resting = REST
            return None
        self.streak = 0
        return data


def bare_answer(frame: RowStrings, obj: str, distinct: str, rest: str) -> BareAnswer | None:
    """The array of the rows ``obj`` (``FROM ... ``: ``rest``) with every string bare.

    None when a value of the row is not a string, an integer, a boolean, a constant or a
    related row's object made of those (:class:`BareAnswer`), or when the row has no string
    (the statement would be the same).
    """
    if not frame.values or not isinstance(obj, Concatenation):
        return None
    counts = _Counts()
    if not _countable(frame, obj, counts, []):
        return None
    quotes = _quotes(frame, obj)
    lead, middle, trail = split_object(bare_row(frame, obj))
    columns = "".join(f", {expr} AS n{i}" for i, (expr, _) in enumerate(counts.counted))
    weighted = " + ".join(f"{weight} * count(_s.n{i})" if weight != 1 else f"count(_s.n{i})"
                          for i, (_, weight) in enumerate(counts.counted))
    sql = (f"SELECT {json_array('_s.j', lead=lead, trail=trail)}, count(*)"
           f"{', ' + weighted if weighted else ''} "
           f"FROM (SELECT {distinct}{middle} AS j{columns} {rest}) _s")
    return BareAnswer(sql, quotes, bool(counts.counted))


@dataclass
class _Counts:
    counted: list[tuple[str, int]] = field(default_factory=list)
    """(SQL value, quotes it adds to its row when not NULL), each counted by the statement."""


def _countable(frame: RowStrings, obj: str, counts: _Counts, keys: list[str]) -> bool:
    """Whether every value of ``obj`` adds a known number of quotes (recorded in ``counts``).

    ``keys``: the keys of the related rows' objects around ``obj``, NULL when it is not in
    the answer. A nullable string adds two quotes when it and these keys are not NULL, a
    related row's object its constants' quotes when its key is not NULL.
    """
    if isinstance(obj, FoundObject):
        counts.counted.append((_within(keys, obj.key), _quotes(frame, obj.obj)))
        return _countable(frame, obj.obj, counts, [*keys, obj.key])
    if not isinstance(obj, Concatenation):
        return False
    for part in obj.parts:
        if isinstance(part, Const):
            if "\\" in part.text or _CONTROL.search(part.text) is not None:
                return False
        elif isinstance(part, PlainJson):
            continue
        elif isinstance(part, FoundObject):
            if not _countable(frame, part, counts, keys):
                return False
        else:
            whole = _MARKER.fullmatch(part)
            if whole is None:
                return False
            if frame.nullable[int(whole.group(1))]:
                counts.counted.append((_within(keys, frame.values[int(whole.group(1))]), 2))
    return True


def _within(keys: list[str], expr: str) -> str:
    """``expr`` where every key in ``keys`` is not NULL, else NULL."""
    if not keys:
        return expr
    return f"CASE WHEN {' AND '.join(f'{k} IS NOT NULL' for k in keys)} THEN {expr} END"


__all__ = ["BARE_STRING_TYPES", "REFUSALS_BEFORE_REST", "REST", "BareAnswer", "RowStrings",
           "bare_answer", "bare_row", "bare_string", "finish_row", "outside_row", "row_strings"]
