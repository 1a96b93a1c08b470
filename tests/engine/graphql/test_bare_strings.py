"""Strings sent bare (engine/graphql/bare_strings.py): the same bytes as ``to_json``, always.

A row with two or more strings tests them once and sends them quoted without ``to_json``
unless one needs escaping. These tests compare its
answers on PostgreSQL with ``to_json``'s over a corpus of every character ``to_json``
escapes and more, at every level of a query.
"""

from __future__ import annotations

import asyncpg
import pytest

from engine.graphql import EngineOptions, GraphQLEngine, object_selection
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


QUERIES = [
    QUERY,
    "{ article(order_by: {id: asc}) { title } }",
    "{ article(order_by: {id: asc}) { id content title author { bio name } } }",
    "{ author_by_pk(id: 2) { name bio articles(order_by: {id: asc}) { content } } }",
]


async def _reference(pool: asyncpg.Pool, query: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """``query``'s statement compiled with ``to_json`` for every string (no bare strings)."""
    with monkeypatch.context() as patch:
        patch.setattr(object_selection, "bare_string", lambda c, expr, nullable=True: None)
        engine = await GraphQLEngine.build(pool, blog_metadata(), EngineOptions())
        return _root(engine, query).sql


async def test_bare_strings_answer_exactly_what_to_json_answers(
        blog_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN one string at a time from the corpus, among clean rows in the same array.

    At the root, in a nested array, in an object relationship, under a ``_by_pk``. WHEN
    the engine answers THEN its bytes are those of the statement built with ``to_json`` for
    every string.
    """
    engine = await GraphQLEngine.build(blog_pool, blog_metadata(), EngineOptions())
    roots = {query: _root(engine, query) for query in QUERIES}
    references = {query: await _reference(blog_pool, query, monkeypatch) for query in QUERIES}
    assert "ELSE ('\"' || _2.\"title\" || '\",\"content\":' ||" in roots[QUERY].sql
    for reference in references.values():
        assert "coalesce('\"' ||" not in reference
        assert "octet_length" not in reference
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
                for query in QUERIES:
                    args = bind(roots[query].sources, {}, {})
                    expected = await conn.fetchval(references[query], *args)
                    assert await conn.fetchval(roots[query].sql, *args) == expected, (
                        target, value, query)
                    body = await engine.execute({"query": query}, ADMIN, {})
                    field = query.split()[1].split("(")[0]
                    assert body == (f'{{"data":{{"{field}":'.encode() + expected.encode()
                                    + b"}}"), (target, value, query)
                    checked += 1
            await conn.execute(update, "Bob" if target == "name" else "plain")
    assert checked == (4 * len(CORPUS) - 2) * len(QUERIES)


def test_bare_strings_statement_shape() -> None:
    """GIVEN a list with a NOT NULL and a nullable text column.

    WHEN compiled THEN each row tests both strings once with ``to_json`` over their
    concatenation, then builds itself with ``to_json`` or with bare quoted strings: the
    NOT NULL one without ``coalesce``, its quotes in the constants around it.
    """
    root = _root(blog_engine_offline(), "{ article { id title content } }")
    every = "coalesce(_1.\"title\", '') || coalesce(_1.\"content\", '')"
    assert (f"CASE WHEN octet_length(to_json({every})::text) <> octet_length({every}) + 2 "
            "THEN (coalesce((_1.\"id\")::text, 'null') || ',\"title\":' || "
            "coalesce(to_json(_1.\"title\")::text, 'null') || ',\"content\":' || "
            "coalesce(to_json(_1.\"content\")::text, 'null')) "
            "ELSE (coalesce((_1.\"id\")::text, 'null') || ',\"title\":\"' || "
            "_1.\"title\" || '\",\"content\":' || "
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
