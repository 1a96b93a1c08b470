"""Strings sent bare (engine/graphql/bare_strings.py): the same bytes as ``to_json``, always.

A row with two or more strings tests them once and sends them quoted without ``to_json``
unless one needs escaping. These tests compare its answers on PostgreSQL with ``to_json``'s
over a corpus of every character ``to_json`` escapes and more, at every level of a query.
"""

from __future__ import annotations

import asyncpg

from engine.graphql import EngineOptions, GraphQLEngine
from engine.graphql.params import bind
from engine.graphql.roots import SqlRoot
from engine.session import Session
from tests.engine.graphql.blog_catalog import blog_engine_offline
from tests.engine.graphql.conftest import blog_metadata

ADMIN = Session("admin", {"x-hasura-role": "admin"}, True)
CORPUS: list[str | None] = [
    None, "", "plain", 'a "quoted" word', "back\\slash", "\\", '"', "\\u0041", "a\\nb",
    *(chr(code) for code in range(1, 0x20)), "tab\there", "line\nbreak", "\x7f",
    "café", "日本語", "emoji 😀", "\u2028\u2029", "\u00a0", "</script>", "{},[]:", "'",
    "\x1f\x20", 'mixed "\\\n\x01 é',
]
QUERY = ("{ author(order_by: {id: asc}) { name bio "
         "articles(order_by: {id: asc}) { title content author { name bio } } } }")


def _root(engine: GraphQLEngine, query: str) -> SqlRoot:
    root = engine.prepare({"query": query}, ADMIN, {}).plan.roots[0]
    assert isinstance(root, SqlRoot)
    return root


async def test_bare_strings_answer_exactly_what_to_json_answers(blog_pool: asyncpg.Pool,
                                                                ) -> None:
    """GIVEN one string at a time from the corpus, in a nested array's row and its object.

    WHEN the engine answers THEN its bytes are those of the same statement built with
    ``to_json`` for every string.
    """
    engine = await GraphQLEngine.build(blog_pool, blog_metadata(), EngineOptions())
    root = _root(engine, QUERY)
    assert "ELSE (coalesce('\"' || _2.\"title\" || '\"', 'null')" in root.sql
    # the reference: every bare branch taken away, leaving to_json for every string
    reference = _only_to_json(root.sql)
    assert "coalesce('\"' ||" not in reference
    targets = {"bio": "UPDATE author SET bio = $1 WHERE id = 1",
               "name": "UPDATE author SET name = $1 WHERE id = 2",
               "content": "UPDATE article SET content = $1 WHERE id = 1",
               "title": "UPDATE article SET title = $1 WHERE id = 3"}
    checked = 0
    async with blog_pool.acquire() as conn:
        for target, update in targets.items():
            for value in CORPUS:
                if value is None and target in ("name", "title"):
                    continue  # NOT NULL columns
                await conn.execute(update, value)
                args = bind(root.sources, {}, {})
                expected = await conn.fetchval(reference, *args)
                assert await conn.fetchval(root.sql, *args) == expected, (target, value)
                body = await engine.execute({"query": QUERY}, ADMIN, {})
                assert body == b'{"data":{"author":' + expected.encode() + b"}}"
                checked += 1
            await conn.execute(update, "Bob" if target == "name" else "plain")
    assert checked == 4 * len(CORPUS) - 2


def _only_to_json(sql: str) -> str:
    """``sql`` with each row's test replaced by its ``to_json`` branch.

    ``CASE WHEN <test> THEN <to_json row> ELSE <bare row> END`` becomes ``<to_json row>``,
    the compiler's output before bare strings.
    """
    out = sql
    while "CASE WHEN octet_length(to_json(" in out:
        start = out.index("CASE WHEN octet_length(to_json(")
        then = out.index(" THEN ", start) + len(" THEN ")
        depth, at, other = 0, then, -1
        while True:  # the ELSE and END of this CASE, past the CASEs nested in it
            if out.startswith("CASE ", at):
                depth += 1
            elif out.startswith(" ELSE ", at) and depth == 0 and other < 0:
                other = at
            elif out.startswith(" END", at):
                if depth == 0:
                    break
                depth -= 1
            at += 1
        out = out[:start] + out[then:other] + out[at + len(" END"):]
    return out


def test_bare_strings_statement_shape() -> None:
    """GIVEN a list with two text columns.

    WHEN compiled THEN each row tests both strings once with ``to_json`` over their
    concatenation, then builds itself with ``to_json`` or with bare quoted strings.
    """
    root = _root(blog_engine_offline(), "{ article { id title content } }")
    every = "coalesce(_1.\"title\", '') || coalesce(_1.\"content\", '')"
    assert (f"CASE WHEN octet_length(to_json({every})::text) <> octet_length({every}) + 2 "
            "THEN (coalesce((_1.\"id\")::text, 'null') || ',\"title\":' || "
            "coalesce(to_json(_1.\"title\")::text, 'null') || ',\"content\":' || "
            "coalesce(to_json(_1.\"content\")::text, 'null')) "
            "ELSE (coalesce((_1.\"id\")::text, 'null') || ',\"title\":' || "
            "coalesce('\"' || _1.\"title\" || '\"', 'null') || ',\"content\":' || "
            "coalesce('\"' || _1.\"content\" || '\"', 'null')) END AS j") in root.sql


def test_bare_strings_only_in_rows_with_two_strings_and_no_subquery() -> None:
    """GIVEN a row with one string, a nested array, an aggregate's nodes or a ``_by_pk``.

    WHEN compiled THEN their strings keep ``to_json`` and no row is tested.
    """
    engine = blog_engine_offline()
    for query in ("{ article { id title } }",
                  "{ author { name bio articles { id } } }",
                  "{ author { id articles_aggregate { nodes { title content } } } }",
                  "{ author_by_pk(id: 1) { name bio } }"):
        sql = _root(engine, query).sql
        assert "octet_length" not in sql, query
        assert "coalesce('\"' ||" not in sql, query
        assert "to_json(" in sql, query
