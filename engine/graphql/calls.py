"""SQL calls of tracked functions: a computed field on a row, a function root field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.catalog.model import quote
from engine.graphql.errors import validation
from engine.graphql.model import ComputedField, TrackedFunction

if TYPE_CHECKING:
    from engine.graphql.compiler import Compiler


def computed_call(c: Compiler, cf: ComputedField, alias: str, given: Any = None) -> str:
    """``fn(row[, session][, args])`` for a computed field on the row ``alias``."""
    given = c.values.concrete(given) or {}
    args = []
    for arg in cf.function.arguments:
        if arg.name == cf.session_argument:
            args.append(c.params.session_json())
        elif arg.name == cf.table_argument:
            if alias in c.derived_rows:
                table = c.model.tables[(arg.schema, arg.base)].table \
                    if (arg.schema, arg.base) in c.model.tables else None
                names = table.columns if table else {}
                cols = ", ".join(f"{alias}.{quote(col)}" for col in names)
                args.append(f"ROW({cols})::{arg.type}")
            else:
                args.append(alias)
        else:
            args.append(c.params.text(given.get(arg.name), arg.type))
    return f"{cf.function.qualified}({', '.join(args)})"


def function_call(c: Compiler, fn: TrackedFunction, raw_args: Any, path: str) -> str:
    """``fn(arg => value, ...)`` for a tracked function root field."""
    given = c.values.concrete(raw_args) or {}
    args = []
    for arg in fn.function.arguments:
        if arg.name == fn.session_argument:
            args.append(f"{quote(arg.name)} => {c.params.session_json()}")
        elif arg.name in given:
            args.append(f"{quote(arg.name)} => {c.params.text(given[arg.name], arg.type)}")
    unknown = set(given) - {a.name for a in fn.function.arguments}
    if unknown:
        raise validation(f"field '{sorted(unknown)[0]}' not found in type: '{fn.name}_args'",
                         f"{path}.args.args")
    return f"{fn.function.qualified}({', '.join(args)})"
