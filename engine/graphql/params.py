"""Bound parameters of a compiled statement: constants, variables and session variables."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

import orjson

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.values import VarRef

Converter = Callable[[Any], Any]


def to_text(value: Any) -> str | None:
    """A JSON value as the text PostgreSQL parses for a scalar column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, int):
        return str(int(value))
    return orjson.dumps(value).decode()


def _float_text(value: float) -> str:
    """A float as Hasura spells it for PostgreSQL: fixed between 0.1 and 10^7, else ``1.0e-30``.

    The spelling decides the scale of a ``numeric`` result (``x + -1.0e-30`` keeps 31 digits).
    """
    text = repr(value)
    if not math.isfinite(value) or value == 0 or 0.1 <= abs(value) < 1e7:
        return text
    sign, digits, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}e{exponent + len(digits) - 1}"


class ParameterError(GraphQLFieldError):
    """A value PostgreSQL would refuse for its parameter's type, found while binding it."""


_INTEGERS = {"int2": ("smallint", 16), "int4": ("integer", 32), "int8": ("bigint", 64)}
_PG_INTEGER = re.compile(r"[ \t\n\r\f\v]*([+-]?[0-9]+)[ \t\n\r\f\v]*")
"""What ``int2in``/``int4in``/``int8in`` accept (PostgreSQL 15): digits, a sign, spaces."""


def _to_integer(sql_type: str, value: Any) -> int | None:
    """``value`` as the integer PostgreSQL reads from its text, refused as PostgreSQL does.

    An ``int`` (a coerced ``Int`` variable, most often) is its own text's integer: only its
    range is checked, without the text and the regular expression.
    """
    if type(value) is int:
        name, bits = _INTEGERS[sql_type]
        if -(1 << (bits - 1)) <= value < 1 << (bits - 1):
            return value
        raise ParameterError(f'value "{value}" is out of range for type {name}',
                             "data-exception")
    text = to_text(value)
    if text is None:
        return None
    name, bits = _INTEGERS[sql_type]
    found = _PG_INTEGER.fullmatch(text)
    if found is None:
        raise ParameterError(f'invalid input syntax for type {name}: "{text}"', "data-exception")
    number = int(found.group(1))
    if not -(1 << (bits - 1)) <= number < 1 << (bits - 1):
        raise ParameterError(f'value "{text}" is out of range for type {name}', "data-exception")
    return number


_PG_UUID = re.compile(r"(\{)?((?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4})(?(1)\})")
"""What ``uuid_in`` accepts: 32 hex digits, a hyphen allowed after any group of four, braces."""


def _to_uuid(value: Any) -> UUID | None:
    """``value`` as the uuid PostgreSQL reads from its text, refused as PostgreSQL does."""
    text = to_text(value)
    if text is None:
        return None
    found = _PG_UUID.fullmatch(text)
    if found is None:
        raise ParameterError(f'invalid input syntax for type uuid: "{text}"', "data-exception")
    return UUID(hex=found.group(2).replace("-", ""))


INTEGER_CONVERTERS: dict[str, Converter] = {t: partial(_to_integer, t) for t in _INTEGERS}
"""Converters binding a value as an ``int2``/``int4``/``int8`` parameter."""
TYPED_CONVERTERS: dict[str, Converter] = {**INTEGER_CONVERTERS, "uuid": _to_uuid}
"""Types whose compared values are bound typed, and the converter of each."""


def to_json_text(value: Any) -> str | None:
    """A JSON value as json/jsonb text."""
    return None if value is None else orjson.dumps(value).decode()


def _array_item(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return "{" + ",".join(_array_item(v) for v in value) + "}"
    text = to_text(value) or ""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_array_text(value: Any) -> str | None:
    """A JSON list (or an array literal string) as a PostgreSQL array literal."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return "{" + ",".join(_array_item(v) for v in value) + "}"
    return to_text(value)


def to_text_list(value: Any) -> list[str | None] | None:
    """A JSON list as a list of texts (for ``= ANY($n::text[])``)."""
    if value is None:
        return None
    if not isinstance(value, list):
        value = [value]
    return [to_text(v) for v in value]


@dataclass(frozen=True)
class Source:
    """Where a parameter's value comes from at execution time."""

    kind: str
    """``const``, ``var`` or ``session``."""
    value: Any
    convert: Converter = to_text


class Params:
    """Collects the parameters of one statement.

    The compiler is handed a builder (see ``compile_operation``); every placeholder goes
    through :meth:`placeholder`, so a subclass can put values somewhere else than ``$n``
    (a subscription batch refers to its cohort rows instead).
    """

    typed_values = True
    """Bind values compared with integer and uuid columns typed (``$1::int4``), not as text
    cast in SQL (``($1::text)::int4``): a generic plan casts a text parameter again for every
    row a filter looks at."""

    def __init__(self) -> None:
        self.sources: list[Source] = []

    def placeholder(self, source: Source) -> str:
        """Record ``source``; the SQL text that stands for its value."""
        self.sources.append(source)
        return f"${len(self.sources)}"

    def add(self, value: Any, convert: Converter = to_text) -> str:
        """A placeholder for ``value`` (a constant or a :class:`VarRef`)."""
        if isinstance(value, VarRef):
            return self.placeholder(Source("var", value.name, convert))
        return self.placeholder(Source("const", convert(value), convert))

    def session(self, name: str, convert: Converter = to_text) -> str:
        """A placeholder for the session variable ``name``."""
        return self.placeholder(Source("session", name.lower(), convert))

    def session_json(self) -> str:
        """A placeholder for every session variable as a JSON object (``json``)."""
        return f"({self.placeholder(Source('session_json', None))}::text)::json"

    def cursor(self, value: Any, convert: Converter = to_text) -> str:
        """A placeholder for a streaming subscription's cursor, starting at ``value``.

        Bound like any value here; a subscription batch reads each cohort's current cursor.
        """
        return self.add(value, convert)

    def comparand(self, value: Any, cast: str, convert: Converter = to_text) -> str:
        """A value compared with a column of type ``cast`` (integers and uuids bound typed)."""
        typed = TYPED_CONVERTERS.get(cast) if self.typed_values and convert is to_text \
            else None
        if typed is None:
            return self.text(value, cast, convert)
        return f"{self.add(value, typed)}::{cast}"

    def session_comparand(self, name: str, cast: str) -> str:
        """The session variable ``name`` compared with a column of type ``cast``."""
        typed = TYPED_CONVERTERS.get(cast) if self.typed_values else None
        if typed is None:
            return f"({self.session(name)}::text)::{cast}"
        return f"{self.session(name, typed)}::{cast}"

    def text(self, value: Any, cast: str, convert: Converter = to_text) -> str:
        """``($n::text)::cast`` for a value bound as text."""
        if cast == "money":  # money does not read exponents; numeric does, and casts exactly
            return f"(({self.add(value, convert)}::text)::numeric)::money"
        return f"({self.add(value, convert)}::text)::{cast}"


def bind(sources: list[Source], variables: Mapping[str, Any],
         session: Mapping[str, str]) -> list[Any]:
    """The argument list for one execution."""
    out: list[Any] = []
    for src in sources:
        if src.kind == "const":
            out.append(src.value)
        elif src.kind == "var":
            out.append(src.convert(variables.get(src.value)))
        elif src.kind == "session_json":
            out.append(orjson.dumps(dict(session)).decode())
        else:
            if src.value not in session:
                raise GraphQLFieldError(f'missing session variable: "{src.value}"', "not-found")
            out.append(src.convert(session[src.value]))
    return out
