"""Strings sent bare (engine/graphql/bare_strings.py): the same bytes as ``to_json``, always.

A row with two or more strings tests them once and sends them quoted without ``to_json``
unless one needs escaping. A root field whose rows hold only strings, integers and booleans
runs a statement with every string bare, which the engine checks, and runs the ``to_json``
statement when the check fails. These tests compare the answers on PostgreSQL with
``to_json``'s over a corpus of every character ``to_json`` escapes and more, at every level
of a query, and check that the root's ``to_json`` statement runs exactly when a string it
answers needs escaping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from engine.catalog.db import Connection
from engine.graphql import EngineOptions, GraphQLEngine, bare_strings, object_selection
from engine.graphql.bare_strings import BareAnswer
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
    "\x1f\x20", 'mixed "\\\n\x01 é', 'a"},{"title":"b', 'a","bio":"b', '"null', "null",
    '","', "\ud7ff\ue000\ufffd", "\U0010ffff",
]
QUERY = ("{ author(order_by: {id: asc}) { name bio "
         "articles(order_by: {id: asc}) { title content author { name bio } } } }")


TARGETS = {"bio": "UPDATE author SET bio = $1 WHERE id = 1",
           "name": "UPDATE author SET name = $1 WHERE id = 2",
           "content": "UPDATE article SET content = $1 WHERE id = 1",
           "title": "UPDATE article SET title = $1 WHERE id = 3"}
"""The string columns the corpus goes through, each as the statement that sets one row's."""


async def _each_corpus_value(conn: Connection) -> AsyncIterator[tuple[str, str | None]]:
    """Set each :data:`TARGETS` column to each corpus value in turn, yielding both.

    A NOT NULL column skips ``None``; each column is set back to a plain value after.
    """
    for target, update in TARGETS.items():
        for value in CORPUS:
            if value is None and target in ("name", "title"):
                continue  # NOT NULL columns
            await conn.execute(update, value)
            yield target, value
        await conn.execute(update, "Bob" if target == "name" else "plain")


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


async def _reference(pool: asyncpg.Pool, query: str, monkeypatch: pytest.MonkeyPatch,
                     metadata: dict[str, Any] | None = None) -> str:
    """``query``'s statement compiled with ``to_json`` for every string (no bare strings)."""
    with monkeypatch.context() as patch:
        patch.setattr(object_selection, "bare_string", lambda c, expr, nullable=True: None)
        engine = await GraphQLEngine.build(pool, metadata or blog_metadata(), EngineOptions())
        return _root(engine, query).sql


def _metadata_with_missing_rows() -> dict[str, Any]:
    """The blog with object relationships whose rows may be missing (no foreign key).

    ``article.writer``: the author whose id is the article's (article 3 has none);
    ``author.twin``: the article whose id is the author's.
    """
    metadata = blog_metadata()
    author, article = metadata["sources"][0]["tables"]
    article["object_relationships"].append({"name": "writer", "using": {"manual_configuration": {
        "remote_table": {"schema": "public", "name": "author"}, "column_mapping": {"id": "id"}}}})
    author["object_relationships"] = [{"name": "twin", "using": {"manual_configuration": {
        "remote_table": {"schema": "public", "name": "article"}, "column_mapping": {"id": "id"}}}}]
    return metadata


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
    assert ("ELSE ('\"' || _2.\"title\" || coalesce('\",\"content\":\"' || _2.\"content\" || "
            "'\",\"author\":") in roots[QUERY].sql
    for reference in references.values():
        assert "coalesce('\"' ||" not in reference
        assert " ~ E'[" not in reference
    checked = 0
    async with blog_pool.acquire() as conn:
        async for target, value in _each_corpus_value(conn):
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
    assert checked == (4 * len(CORPUS) - 2) * len(QUERIES)


def test_bare_strings_statement_shape() -> None:
    """GIVEN a list with a NOT NULL and a nullable text column.

    WHEN compiled THEN each row tests both strings once with a regular expression over
    their concatenation, then builds itself with ``to_json`` or with bare quoted strings:
    the NOT NULL one without ``coalesce``, its quotes in the constants around it.
    """
    root = _root(blog_engine_offline(), "{ article { id title content } }")
    every = "coalesce(_1.\"title\", '') || coalesce(_1.\"content\", '')"
    assert (f"CASE WHEN ({every}) ~ E'[\\x01-\\x1f\"\\\\\\\\]' "
            "THEN (coalesce((_1.\"id\")::text, 'null') || ',\"title\":' || "
            "coalesce(to_json(_1.\"title\")::text, 'null') || ',\"content\":' || "
            "coalesce(to_json(_1.\"content\")::text, 'null')) "
            "ELSE (coalesce((_1.\"id\")::text, 'null') || ',\"title\":\"' || "
            "_1.\"title\" || coalesce('\",\"content\":\"' || _1.\"content\" || '\"', "
            "'\",\"content\":null')) END AS j") in root.sql


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
        assert " ~ E'[" not in sql, query
        assert "coalesce('\"' ||" not in sql, query
        assert "to_json(" in sql, query


ROOT_QUERIES = {
    # query → the (target column, row) values its answer shows
    "{ article(order_by: {id: asc}) { title } }": {"title"},
    "{ article(order_by: {id: asc}) { id title content views is_published } }":
        {"title", "content"},
    "{ author(order_by: {id: asc}) { id name bio } }": {"name", "bio"},
    "{ author(order_by: {id: desc}, limit: 1) { name bio } }": {"name"},
    "{ author(where: {id: {_gt: 100}}) { name bio } }": set(),
    "{ article(distinct_on: author_id, order_by: {author_id: asc, id: asc}) "
    "{ __typename title content } }": {"title", "content"},
    # related rows that may be missing (article 3 has no writer), one inside another
    "{ article(order_by: {id: asc}) { id title writer { name bio } } }":
        {"title", "name", "bio"},
    "{ article(order_by: {id: asc}) { writer { id twin { title content } } } }":
        {"content"},
    "{ author(order_by: {id: asc}) { twin { writer { bio } content } } }": {"bio", "content"},
}


def _needs_escaping(value: str | None) -> bool:
    return value is not None and any(ch in '"\\' or ch < " " for ch in value)


async def test_root_bare_answer_is_to_json_answer_and_falls_back_only_when_needed(
        blog_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN root fields whose rows hold strings, integers, booleans, related rows' objects.

    Strings NOT NULL and nullable; related rows that may be missing, one inside another.

    WHEN the engine answers them, one corpus value at a time in each string column THEN
    its bytes are those of the statement built with ``to_json`` for every string, and the
    ``to_json`` statement ran exactly when a string the answer shows needs escaping (a
    quote, a backslash or a control character; crafted strings that would read as more
    rows or keys included), never for an empty answer.
    """
    monkeypatch.setattr(bare_strings, "REFUSALS_BEFORE_REST", 10**9)  # never rests here
    metadata = _metadata_with_missing_rows()
    engine = await GraphQLEngine.build(blog_pool, metadata, EngineOptions())
    roots = {query: _root(engine, query) for query in ROOT_QUERIES}
    references = {query: await _reference(blog_pool, query, monkeypatch, metadata)
                  for query in ROOT_QUERIES}
    bares: dict[str, BareAnswer] = {}
    for query, root in roots.items():
        assert root.bare is not None, query
        assert "to_json" not in root.bare.sql, query
        assert ("writer" in query) == ("CASE WHEN" in root.bare.sql), query
        bares[query] = root.bare
    fell_back = 0
    async with blog_pool.acquire() as conn:
        async for target, value in _each_corpus_value(conn):
            for query, shown in ROOT_QUERIES.items():
                expected = await conn.fetchval(references[query],
                                               *bind(roots[query].sources, {}, {}))
                refused = bares[query].refused
                body = await engine.execute({"query": query}, ADMIN, {})
                field = query.split()[1].split("(")[0]
                assert body == (f'{{"data":{{"{field}":'.encode() + expected.encode()
                                + b"}}"), (target, value, query)
                needed = target in shown and _needs_escaping(value)
                assert bares[query].refused - refused == int(needed), (target, value, query)
                fell_back += needed
    assert fell_back > 4 * 30


async def test_root_bare_answer_rests_while_the_data_needs_escaping(
        blog_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a root field whose answer shows a string that needs escaping.

    WHEN it is asked again and again THEN after ``REFUSALS_BEFORE_REST`` refusals in a row
    the next ``REST`` answers come from the ``to_json`` statement without trying the bare
    one, then one try, refused, rests again; once the string no longer needs escaping, the
    first try after the rest passes and the bare statement answers from then on. Every
    answer is the ``to_json`` statement's.
    """
    monkeypatch.setattr(bare_strings, "REST", 3)
    query = "{ article(order_by: {id: asc}) { title } }"
    engine = await GraphQLEngine.build(blog_pool, blog_metadata(), EngineOptions())
    bare = _root(engine, query).bare
    assert bare is not None
    reference = await _reference(blog_pool, query, monkeypatch)

    async def ask() -> tuple[int, int]:
        expected = await conn.fetchval(reference)
        body = await engine.execute({"query": query}, ADMIN, {})
        assert body == b'{"data":{"article":' + expected.encode() + b"}}"
        return bare.refused, bare.rested

    async with blog_pool.acquire() as conn:
        title = await conn.fetchval("SELECT title FROM article WHERE id = 3")
        try:
            await conn.execute("UPDATE article SET title = $1 WHERE id = 3", 'a "quoted" word')
            seen = [await ask() for _ in range(bare_strings.REFUSALS_BEFORE_REST + 3 + 2)]
            assert seen == [(1, 0), (2, 0), (3, 0), (4, 0), (4, 1), (4, 2), (4, 3), (5, 3),
                            (5, 4)]
            await conn.execute("UPDATE article SET title = $1 WHERE id = 3", "plain")
            seen = [await ask() for _ in range(4)]
            assert seen == [(5, 5), (5, 6), (5, 6), (5, 6)]  # rest ends, the try passes
            assert bare.streak == 0
        finally:
            await conn.execute("UPDATE article SET title = $1 WHERE id = 3", title)


def test_bare_answer_check() -> None:
    """GIVEN answers of a statement whose rows' constants hold 6 quotes, one nullable string.

    WHEN checked THEN it passes only with no backslash, no character below U+0020, and
    exactly the quotes its constants and non-NULL strings put there (rows times 6, plus
    the third column: 2 per non-NULL nullable string); non-ASCII characters,
    U+007F and U+2028 are not escaped by ``to_json`` and pass.
    """
    bare = BareAnswer("", quotes=6, counts_more=True)
    assert bare.answer("[]", 0, 0) == b"[]"
    ok = '[{"a":"x é \x7f \u2028 😀","b":null},{"a":"y","b":"z"}]'
    assert bare.answer(ok, 2, 2) == ok.encode()
    assert bare.refused == 0
    for text, rows, more in (
            (ok, 2, 0), (ok, 2, 4), (ok, 3, 0), (ok, 1, 2),
            ('[{"a":"x\\y","b":null}]', 1, 0),
            ('[{"a":"x\x1f","b":null}]', 1, 0), ('[{"a":"x\x00","b":null}]', 1, 0),
            ('[{"a":"x\n","b":null}]', 1, 0),
            ('[{"a":"a"},{"a":"b","b":null}]', 1, 0)):
        assert bare.answer(text, rows, more) is None, text
    assert bare.refused == 9


def test_root_bare_statement_shape() -> None:
    """GIVEN a root list of an integer, a NOT NULL string and a nullable one.

    WHEN compiled THEN the root also has a statement with both strings bare, the NOT NULL
    one's quotes in its constants, that counts its rows and the nullable string's values;
    the ``to_json`` statement is today's, which subscriptions run.
    """
    root = _root(blog_engine_offline(), "{ article { id title content } }")
    assert root.bare is not None
    assert root.bare.sql == (
        "SELECT coalesce('[{\"id\":' || string_agg(_s.j, '},{\"id\":') || '}]', '[]'), "
        "count(*), 2 * count(_s.n0) FROM (SELECT (coalesce((_1.\"id\")::text, 'null') || "
        "',\"title\":\"' || _1.\"title\" || coalesce('\",\"content\":\"' || "
        "_1.\"content\" || '\"', '\",\"content\":null')) AS j, _1.\"content\" AS n0 "
        "FROM \"public\".\"article\" _1 ) _s")
    assert root.bare.quotes == 8
    assert " ~ E'[" in root.sql


def test_root_bare_statement_only_for_plain_rows() -> None:
    """GIVEN roots with a subquery, another type, no string, a ``_by_pk``, an aggregate.

    A nested array, a numeric, jsonb or timestamptz value, no string at all.

    WHEN compiled THEN they have no bare statement: the ``to_json`` one answers.
    """
    engine = blog_engine_offline()
    for query in ("{ author { name articles { id } } }",
                  "{ article { title rating } }", "{ article { title tags } }",
                  "{ author { name created_at } }", "{ article { id views } }",
                  "{ author_by_pk(id: 1) { name bio } }",
                  "{ author { id articles_aggregate { nodes { title content } } } }",
                  "{ article_aggregate { nodes { title } } }"):
        assert _root(engine, query).bare is None, query
