"""Cache keys of ``@cached`` queries, computed as Hasura describes them.

The key is a hash of the query (without its ``@cached`` directive), the operation name,
the variables, the role, and the values of the session variables the compiled statements
read (those the role's permissions use): two users whose permissions read
``x-hasura-user-id`` never share an entry, two users of a role whose permissions read no
session variable do. An action's answer may depend on every session variable and on the
client's headers, so those are all in its key. The family key leaves the variables and the
session out: clearing a family clears every cached answer of that query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from engine.graphql.cached import CachedDirective
from engine.graphql.plan import PreparedOperation
from engine.graphql.roots import IntrospectionRoot, LiteralRoot, RootPlan, SequenceRoot, SqlRoot

ALL = None
"""Marker: the answer may depend on every session variable (and the client's headers)."""


def session_names(roots: Iterable[RootPlan]) -> frozenset[str] | None:
    """The session variables the statements of ``roots`` read; None for all of them."""
    names: set[str] = set()
    for root in roots:
        if isinstance(root, SequenceRoot):
            inner = session_names(root.steps)
            if inner is ALL:
                return ALL
            names |= inner
        elif isinstance(root, SqlRoot):
            for source in root.sources:
                if source.kind == "session_json":
                    return ALL
                if source.kind == "session":
                    names.add(source.value)
        elif not isinstance(root, LiteralRoot | IntrospectionRoot):
            return ALL  # an action, or a kind this module does not know: all of the session
    return frozenset(names)


def _digest(parts: list[Any]) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_SORT_KEYS)).hexdigest()


def query_text(query: str, directive: CachedDirective) -> str:
    """The document without its ``@cached(...)`` (so ``refresh`` finds the same entry)."""
    if directive.span is None:
        return query
    start, end = directive.span
    return query[:start] + query[end:]


def cache_keys(prepared: PreparedOperation, directive: CachedDirective,
               raw_variables: Mapping[str, Any]) -> tuple[str, str]:
    """``(key, family)`` of a prepared ``@cached`` query."""
    role_key, query, op_name = prepared.cache_key
    text = query_text(query, directive)
    family = _digest(["family", text, op_name])
    session = prepared.session.variables
    names = session_names(prepared.plan.roots)
    if names is ALL:
        used: Any = [dict(session), dict(prepared.headers)]
    else:
        used = {name: session.get(name) for name in sorted(names)}
    key = _digest(["query", text, op_name, dict(raw_variables), role_key, used])
    return key, family
