"""SQL calls of tracked functions: a computed field on a row, a function root field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.catalog.model import Argument, quote
from engine.graphql.errors import GraphQLFieldError, validation
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
    """``fn(value, ..., arg => value, ...)`` for a tracked function root field.

    As Hasura passes them: the leading arguments given (the session argument counts as given)
    by position, the rest by name. An argument left out must have a default, and an unnamed
    one can only be given when every argument before it is (``Only last set of positional
    arguments can be omitted``).
    """
    given = c.values.concrete(raw_args) or {}
    unknown = set(given) - {a.name for a in fn.function.arguments}
    if unknown:
        raise validation(f"field '{sorted(unknown)[0]}' not found in type: '{fn.name}_args'",
                         f"{path}.args.args")

    def value(arg: Argument) -> str:
        if arg.name == fn.session_argument:
            return c.params.session_json()
        return c.params.text(given[arg.name], arg.type)

    args: list[str] = []
    arguments = list(fn.function.arguments)
    while arguments and (arguments[0].name in given
                         or arguments[0].name == fn.session_argument):
        args.append(value(arguments.pop(0)))
    for arg in arguments:
        if arg.name in given or arg.name == fn.session_argument:
            if arg.unnamed:
                raise GraphQLFieldError("Only last set of positional arguments can be omitted",
                                        "not-supported", f"{path}.args.args")
            args.append(f"{quote(arg.name)} => {value(arg)}")
        elif not arg.has_default:
            raise GraphQLFieldError("Non default arguments cannot be omitted", "not-supported",
                                    f"{path}.args.args")
    return f"{fn.function.qualified}({', '.join(args)})"
