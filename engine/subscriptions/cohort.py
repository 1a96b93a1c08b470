"""One SQL statement for a batch of cohorts, Hasura's multiplexing.

Subscribers with the same query shape and role share a poller; each distinct set of values
the statement reads at run time (variables, session variables, a stream's cursor) is a
cohort. The compiled statement is wrapped so that PostgreSQL answers every cohort of a
batch at once: the cohorts arrive as parameter arrays (ids, values as JSON arrays,
previous result hashes), are unnested, and the query is joined LATERAL to each row::

    SELECT "_subs".id, <body unless its hash is the previous one>, <hash>
    FROM unnest($1::int4[], $2::json[], $3::text[]) AS "_subs"(id, v, prev)
    LEFT JOIN LATERAL (<the compiled query, reading "_subs".v>) ... ON true

:class:`CohortParams` is the parameter builder that makes the compiler refer to
``"_subs".v->>n`` in place of ``$n`` for anything that may differ between cohorts; only
constants stay ``$n`` (shared by the batch).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from engine.graphql.errors import validation
from engine.graphql.params import Converter, Params, Source, bind, to_array_text, to_text
from engine.graphql.plan import Plan
from engine.graphql.roots import LiteralRoot, SqlRoot, StreamRoot
from engine.graphql.sqltext import Const, JsonPart, concat
from engine.graphql.values import VarRef

BATCH_ARRAYS = 3
"""``$1`` cohort ids, ``$2`` cohort values, ``$3`` previous hashes; constants follow."""
_ROW = '"_subs"'


class CohortParams(Params):
    """A parameter builder whose per-cohort values are read from the batch's cohort rows."""

    typed_values = False
    """Per-cohort values are text in the cohort rows (cast in SQL however they are bound);
    a value PostgreSQL refuses fails its batch when polled, as Hasura's does."""

    def __init__(self) -> None:
        super().__init__()
        self.per_cohort: list[Source] = []
        """What each cohort row's value array holds, in order."""
        self.cursor_slot: int | None = None
        """Where a stream's cursor sits in the value array."""

    def placeholder(self, source: Source) -> str:
        """Constants are shared ``$n``; anything else is read from the cohort's row."""
        if source.kind == "const":
            self.sources.append(source)
            return f"${len(self.sources) + BATCH_ARRAYS}"
        self.per_cohort.append(source)
        return f"({_ROW}.v->>{len(self.per_cohort) - 1})"

    def cursor(self, value: Any, convert: Converter = to_text) -> str:
        """The cohort's current cursor (its initial value from the document or a variable)."""
        if isinstance(value, VarRef):
            start = Source("var", value.name, convert)
        else:
            start = Source("const", convert(value), convert)
        self.cursor_slot = len(self.per_cohort)
        self.per_cohort.append(Source("cursor", start, convert))
        return f"({_ROW}.v->>{self.cursor_slot})"


def cohort_values(sources: list[Source], variables: dict[str, Any],
                  session: dict[str, str]) -> list[str | None]:
    """One cohort's value array: what each per-cohort source reads, as text.

    Raises:
        GraphQLFieldError: a session variable the query needs is missing.
    """
    out: list[str | None] = []
    for src in sources:
        bound = bind([src.value if src.kind == "cursor" else src], variables, session)[0]
        out.append(bound if bound is None or isinstance(bound, str) else to_array_text(bound))
    return out


def cohort_key(values: list[str | None]) -> str:
    """The identity of a cohort: its values."""
    return orjson.dumps(values).decode()


@dataclass
class BatchStatement:
    """A subscription's statement for a batch of cohorts."""

    sql: str
    shared: list[Any]
    """Values of the constants (``$4`` onwards)."""
    per_cohort: list[Source]
    stream: bool = False
    cursor_slot: int | None = None
    aliases: list[str] = field(default_factory=list)


def batch_statement(plan: Plan, params: CohortParams) -> BatchStatement:
    """Wrap a subscription's compiled root fields (compiled with ``params``) for a batch.

    Raises:
        GraphQLFieldError: a root field cannot be part of a subscription.
    """
    unnest = (f"FROM unnest($1::int4[], $2::json[], $3::text[]) AS {_ROW}(id, v, prev) ")
    shared = [s.value for s in params.sources]
    streams = [r for r in plan.roots if isinstance(r, StreamRoot)]
    if streams:
        if len(plan.roots) != 1:
            raise validation("a streaming subscription must have exactly one root field")
        root = streams[0]
        body = concat([Const('{"data":{' + orjson.dumps(root.alias).decode() + ":"), "_r.j",
                       Const("}}")])
        sql = (f"SELECT {_ROW}.id, {body}, NULL::text, _r.c {unnest}"
               f"LEFT JOIN LATERAL ({root.sql}) AS _r(j, c) ON true")
        return BatchStatement(sql, shared, params.per_cohort, True, params.cursor_slot,
                              [root.alias])
    parts: list[JsonPart] = [Const('{"data":{')]
    for i, r in enumerate(plan.roots):
        parts.append(Const(("," if i else "") + orjson.dumps(r.alias).decode() + ":"))
        if isinstance(r, LiteralRoot):
            parts.append(Const(r.value.decode()))
        elif isinstance(r, SqlRoot):
            parts.append(f"coalesce(({r.sql}), 'null')")
        else:
            raise validation(f"field '{r.alias}' cannot be part of a subscription")
    parts.append(Const("}}"))
    # Aliases reach the SQL as JSON-encoded literals (``concat``); every value is bound.
    sql = (f"SELECT {_ROW}.id, CASE WHEN _r.h IS NOT DISTINCT FROM {_ROW}.prev THEN NULL "  # noqa: S608
           f"ELSE _r.body END, _r.h, NULL::text {unnest}"
           f"LEFT JOIN LATERAL (SELECT _b.body, md5(_b.body) AS h FROM "
           f"(SELECT {concat(parts)} AS body) _b) _r ON true")
    return BatchStatement(sql, shared, params.per_cohort, False, None,
                          [r.alias for r in plan.roots])
