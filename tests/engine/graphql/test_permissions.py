"""Permissions per role: rows, columns, presets, checks, limits and the schema each role sees."""

from __future__ import annotations

import asyncpg

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql


async def test_user_reads_published_and_own_articles_only(blog_engine: GraphQLEngine) -> None:
    """GIVEN article 2 is an unpublished article by user 1.

    WHEN user 2 and user 1 select articles
    THEN user 2 does not see it and user 1 does.
    """
    other = await gql(blog_engine, "{ article(order_by: {id: asc}) { id } }", role="user",
                      user_id="2")
    owner = await gql(blog_engine, "{ article(order_by: {id: asc}) { id } }", role="user",
                      user_id="1")
    assert other == {"data": {"article": [{"id": 1}, {"id": 3}]}}
    assert owner == {"data": {"article": [{"id": 1}, {"id": 2}, {"id": 3}]}}


async def test_hidden_column_is_not_in_the_role_schema(blog_engine: GraphQLEngine) -> None:
    """GIVEN author.secret is not in the user's select columns.

    WHEN the user selects it
    THEN Hasura's validation error names the field and its path.
    """
    result = await gql(blog_engine, "{ author { secret } }", role="user", user_id="1")
    path = "$.selectionSet.author.selectionSet.secret"
    assert result == {"errors": [{"message": "field 'secret' not found in type: 'author'",
                                  "extensions": {"path": path, "code": "validation-failed"}}]}
    assert "secret" not in blog_engine.schema_sdl("user").split("type author {")[1].split("}")[0]


async def test_select_limit_and_missing_aggregations_for_anonymous(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN anonymous may read one published article and has no aggregations.

    WHEN anonymous asks for all articles and for an aggregate
    THEN one row comes back and the aggregate field does not exist.
    """
    rows = await gql(blog_engine, "{ article { id } }", role="anonymous")
    agg = await gql(blog_engine, "{ article_aggregate { aggregate { count } } }", role="anonymous")
    assert rows == {"data": {"article": [{"id": 1}]}}
    assert agg["errors"][0]["message"] == \
        "field 'article_aggregate' not found in type: 'query_root'"


async def test_user_cannot_update_or_delete_other_users_rows(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN user 2 may only update its own author row and delete its own articles.

    WHEN user 2 targets user 1's rows
    THEN nothing changes and affected_rows is 0.
    """
    upd = await gql(blog_engine, """mutation { update_author(where: {id: {_eq: 1}},
        _set: {bio: "hacked"}) { affected_rows } }""", role="user", user_id="2")
    dele = await gql(blog_engine, """mutation { delete_article(where: {author_id: {_eq: 1}})
        { affected_rows } }""", role="user", user_id="2")
    assert upd == {"data": {"update_author": {"affected_rows": 0}}}
    assert dele == {"data": {"delete_article": {"affected_rows": 0}}}
    async with blog_pool.acquire() as conn:
        assert await conn.fetchval("SELECT bio FROM author WHERE id = 1") == "a"
        assert await conn.fetchval("SELECT count(*) FROM article WHERE author_id = 1") == 2


async def test_insert_preset_overrides_the_author_and_column_rules_apply(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN author_id is preset from X-Hasura-User-Id and not insertable by the user.

    WHEN user 2 inserts an article, then tries to set author_id itself
    THEN the row belongs to user 2, and the second insert is rejected by the schema.
    """
    ok = await gql(blog_engine, """mutation { insert_article(objects: [{title: "t"}])
        { returning { author_id title } } }""", role="user", user_id="2")
    bad = await gql(blog_engine, """mutation { insert_article(objects:
        [{title: "t", author_id: 1}]) { affected_rows } }""", role="user", user_id="2")
    assert ok == {"data": {"insert_article": {"returning": [{"author_id": 2, "title": "t"}]}}}
    assert bad["errors"][0]["extensions"] == {
        "path": "$.selectionSet.insert_article.args.objects[0].author_id",
        "code": "validation-failed"}


async def test_missing_session_variable_is_reported(blog_engine: GraphQLEngine) -> None:
    """GIVEN the user's filter needs X-Hasura-User-Id.

    WHEN the session has none
    THEN Hasura's not-found error names the variable.
    """
    result = await gql(blog_engine, "{ article { id } }", role="user")
    assert result == {"errors": [{"message": 'missing session variable: "x-hasura-user-id"',
                                  "extensions": {"path": "$", "code": "not-found"}}]}


async def test_role_without_permissions_has_no_fields(blog_engine: GraphQLEngine) -> None:
    """GIVEN a role the metadata never mentions.

    WHEN it queries a table
    THEN the field does not exist for it.
    """
    result = await gql(blog_engine, "{ author { id } }", role="stranger")
    assert result["errors"][0]["message"] == "field 'author' not found in type: 'query_root'"
    assert "mutation_root" not in blog_engine.schema_sdl("anonymous")
    assert "insert_article" in blog_engine.schema_sdl("user")
