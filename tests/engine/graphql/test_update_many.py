"""``update_<table>_many``: several updates in order, one answer each, one transaction."""

from __future__ import annotations

import asyncpg
from graphql import print_type

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import blog_metadata, gql


async def test_update_many_applies_the_updates_in_order(blog_engine: GraphQLEngine) -> None:
    """GIVEN articles with 10, 20 and 30 views.

    WHEN one update adds 5 views to article 1 and the next retitles articles over 12 views
    THEN the second sees the first's change, and each answers its own mutation response.
    """
    result = await gql(blog_engine, """mutation { update_article_many(updates: [
        {where: {id: {_eq: 1}}, _inc: {views: 5}},
        {where: {views: {_gt: 12}}, _set: {title: "big"}},
        {where: {id: {_eq: 99}}, _set: {title: "none"}}]) {
          affected_rows __typename returning { id title views } } }""")
    answers = result["data"]["update_article_many"]
    answers[1]["returning"].sort(key=lambda row: row["id"])  # rows come in storage order
    assert answers == [
        {"affected_rows": 1, "__typename": "article_mutation_response",
         "returning": [{"id": 1, "title": "A1", "views": "15"}]},
        {"affected_rows": 3, "__typename": "article_mutation_response", "returning": [
            {"id": 1, "title": "big", "views": "15"}, {"id": 2, "title": "big", "views": "20"},
            {"id": 3, "title": "big", "views": "30"}]},
        {"affected_rows": 0, "__typename": "article_mutation_response", "returning": []}]


async def test_update_many_with_variables_reuses_its_plan(blog_engine: GraphQLEngine) -> None:
    """GIVEN one document whose values (and whole list of updates) come from variables.

    WHEN it runs with different values, including an empty list of updates
    THEN every run answers for its own values.
    """
    leaves = """mutation($id: Int!, $bio: String) { update_author_many(updates: [
        {where: {id: {_eq: $id}}, _set: {bio: $bio}}]) { returning { id bio } } }"""
    whole = """mutation($u: [author_updates!]!) { update_author_many(updates: $u) {
        affected_rows } }"""
    first = await gql(blog_engine, leaves, variables={"id": 1, "bio": "one"})
    second = await gql(blog_engine, leaves, variables={"id": 2, "bio": "two"})
    listed = await gql(blog_engine, whole, variables={"u": [
        {"where": {"id": {"_eq": 1}}, "_set": {"bio": "x"}},
        {"where": {"bio": {"_eq": "x"}}, "_set": {"name": "X"}}]})
    empty = await gql(blog_engine, whole, variables={"u": []})
    assert first == {"data": {"update_author_many": [{"returning": [{"id": 1, "bio": "one"}]}]}}
    assert second == {"data": {"update_author_many": [{"returning": [{"id": 2, "bio": "two"}]}]}}
    assert listed == {"data": {"update_author_many": [{"affected_rows": 1},
                                                      {"affected_rows": 1}]}}
    assert empty == {"data": {"update_author_many": []}}


async def test_update_many_failure_rolls_back_every_update(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN a list whose second update breaks the name's unique key.

    WHEN it runs
    THEN Hasura's constraint-violation answers and the first update is rolled back too.
    """
    result = await gql(blog_engine, """mutation { update_author_many(updates: [
        {where: {id: {_eq: 1}}, _set: {bio: "changed"}},
        {where: {id: {_eq: 2}}, _set: {name: "Alice"}}]) { affected_rows } }""")
    assert result["errors"][0]["extensions"]["code"] == "constraint-violation"
    async with blog_pool.acquire() as conn:
        assert await conn.fetchval("SELECT bio FROM author WHERE id = 1") == "a"


async def test_update_many_keeps_the_role_permissions(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN the user role may update only its own author row, and only the bio.

    WHEN user 2 updates every author's bio, then tries a column it may not update
    THEN only its own row changes, and the column is refused at its path.
    """
    own = await gql(blog_engine, """mutation { update_author_many(updates: [
        {where: {}, _set: {bio: "mine"}}]) { affected_rows } }""", role="user", user_id="2")
    refused = await gql(blog_engine, """mutation { update_author_many(updates: [
        {where: {}, _set: {bio: "ok"}}, {where: {}, _set: {name: "no"}}]) { affected_rows } }""",
                        role="user", user_id="2")
    assert own == {"data": {"update_author_many": [{"affected_rows": 1}]}}
    assert refused["errors"][0]["extensions"] == {
        "path": "$.selectionSet.update_author_many.args.updates[1]._set", "code":
        "validation-failed"}
    async with blog_pool.acquire() as conn:
        bios = await conn.fetch("SELECT id, bio FROM author ORDER BY id")
    assert [tuple(r) for r in bios] == [(1, "a"), (2, "mine")]


async def test_update_many_entry_needs_where_and_an_operator(blog_engine: GraphQLEngine) -> None:
    """GIVEN entries without ``where``, with ``where: null``, or without any operator.

    WHEN they are sent
    THEN each is refused with Hasura's validation-failed and nothing is updated.
    """
    for entry in ('{_set: {bio: "all"}}', '{where: null, _set: {bio: "all"}}',
                  "{where: {id: {_eq: 1}}}"):
        result = await gql(blog_engine, f"mutation {{ update_author_many(updates: [{entry}]) "
                           "{ affected_rows } }")
        assert result["errors"][0]["extensions"]["code"] == "validation-failed", (entry, result)
    rows = await gql(blog_engine, "{ author(where: {bio: {_eq: \"all\"}}) { id } }")
    assert rows == {"data": {"author": []}}


async def test_update_many_in_the_schema(blog_pool: asyncpg.Pool) -> None:
    """GIVEN update permissions for user only, and a custom name for the field.

    WHEN the schemas are built
    THEN user sees the custom-named field over ``author_updates``; anonymous sees neither.
    """
    metadata = blog_metadata()
    author = metadata["sources"][0]["tables"][0]
    author["configuration"] = {"custom_root_fields": {"update_many": "change_authors"}}
    engine = await GraphQLEngine.build(blog_pool, metadata)
    user = engine.schema("user")
    assert user.mutation_type is not None
    field = user.mutation_type.fields["change_authors"]
    assert str(field.type) == "[author_mutation_response]"
    assert str(field.args["updates"].type) == "[author_updates!]!"
    assert print_type(user.type_map["author_updates"]) == (
        "input author_updates {\n  _set: author_set_input\n  where: author_bool_exp!\n}")
    assert "author_updates" not in engine.schema("anonymous").type_map
