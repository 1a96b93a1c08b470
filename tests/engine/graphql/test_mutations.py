"""Mutations: inserts (nested, upserts), updates, deletes, one transaction per request."""

from __future__ import annotations

import asyncpg

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import blog_metadata, gql


async def test_nested_insert_with_object_and_array_relationships(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN an author object with nested articles.

    WHEN inserting it with insert_author_one, and an article with a nested new author
    THEN parents and children are linked and returned with their relationships.
    """
    one = await gql(blog_engine, """mutation { insert_author_one(object: {name: "C",
        articles: {data: [{title: "n1"}, {title: "n2"}]}}) { name articles { title } } }""")
    nested = await gql(blog_engine, """mutation { insert_article(objects: [{title: "x",
        author: {data: {name: "D"}}}]) { affected_rows returning { title author { name } } } }""")
    assert one == {"data": {"insert_author_one": {
        "name": "C", "articles": [{"title": "n1"}, {"title": "n2"}]}}}
    assert nested == {"data": {"insert_article": {
        "affected_rows": 2, "returning": [{"title": "x", "author": {"name": "D"}}]}}}


async def test_insert_with_no_objects_answers_an_empty_response(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN an insert permission with a preset (user) and one without (admin).

    WHEN inserting an empty list of objects, with aliases and __typename in the selection
    THEN the answer is Hasura's empty mutation response and no row is written.
    """
    query = """mutation { insert_article(objects: []) { n: affected_rows __typename
        returning { id author { name } } } }"""
    as_user = await gql(blog_engine, query, role="user", user_id="1")
    as_admin = await gql(blog_engine, """mutation($o: [author_insert_input!]!) {
        insert_author(objects: $o) { affected_rows returning { id } } }""", variables={"o": []})
    expected = {"n": 0, "__typename": "article_mutation_response", "returning": []}
    assert as_user == {"data": {"insert_article": expected}}
    assert as_admin == {"data": {"insert_author": {"affected_rows": 0, "returning": []}}}
    await _unchanged(blog_pool)


async def test_insert_plan_for_no_objects_is_not_reused_for_objects(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN one insert document whose objects come from a variable.

    WHEN it runs with no objects, then with one, then with none again
    THEN only the middle run inserts (each list length gets its own plan).
    """
    query = """mutation($o: [author_insert_input!]!) { insert_author(objects: $o) {
        affected_rows returning { name } } }"""
    runs = [await gql(blog_engine, query, variables={"o": o})
            for o in ([], [{"name": "Zed"}], [])]
    assert [r["data"]["insert_author"] for r in runs] == [
        {"affected_rows": 0, "returning": []},
        {"affected_rows": 1, "returning": [{"name": "Zed"}]},
        {"affected_rows": 0, "returning": []}]


async def _unchanged(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM author") == 2
        assert await conn.fetchval("SELECT count(*) FROM article") == 3


async def test_upsert_updates_the_listed_columns(blog_engine: GraphQLEngine) -> None:
    """GIVEN author Alice exists.

    WHEN inserting Alice again with on_conflict on the name key updating bio
    THEN the existing row is updated rather than duplicated.
    """
    result = await gql(blog_engine, """mutation { insert_author(objects: [{name: "Alice",
        bio: "new"}], on_conflict: {constraint: author_name_key, update_columns: [bio]})
        { affected_rows returning { id bio } } }""")
    assert result == {"data": {"insert_author": {"affected_rows": 1,
                                                 "returning": [{"id": 1, "bio": "new"}]}}}


async def test_update_set_inc_and_jsonb_append(blog_engine: GraphQLEngine) -> None:
    """GIVEN article 1 with views 10 and tags {"k": 1}.

    WHEN updating by primary key with _set, _inc and _append
    THEN the returned row shows all three changes.
    """
    result = await gql(blog_engine, """mutation { update_article_by_pk(pk_columns: {id: 1},
        _set: {title: "T"}, _inc: {views: 5}, _append: {tags: {z: 3}}) { title views tags } }""")
    assert result == {"data": {"update_article_by_pk": {
        "title": "T", "views": "15", "tags": {"k": 1, "z": 3}}}}


async def test_update_inc_on_numeric_keeps_the_stored_scale(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN a numeric stored with four decimals (as Hasura's /v1/query insert stores 12345.67).

    WHEN incrementing it by -1.1, then by -1E-30
    THEN PostgreSQL's scale rules decide the output: the stored scale, then the 31 digits
    of the value as Hasura spells it for PostgreSQL (``-1.0e-30``).
    """
    async with blog_pool.acquire() as conn:
        await conn.execute("UPDATE article SET rating = 12345.6700 WHERE id = 1")
    first = await gql(blog_engine, """mutation($v: numeric) { update_article(
        where: {id: {_eq: 1}}, _inc: {rating: $v}) { returning { rating } } }""",
                      variables={"v": -1.1})
    second = await gql(blog_engine, """mutation { update_article(
        where: {id: {_eq: 1}}, _inc: {rating: -1E-30}) { returning { rating } } }""")
    assert first == {"data": {"update_article": {"returning": [{"rating": "12344.5700"}]}}}
    assert second == {"data": {"update_article": {"returning": [
        {"rating": "12344.5699999999999999999999999999990"}]}}}


async def test_failing_root_field_rolls_back_the_whole_mutation(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN a mutation whose second root field violates a unique key.

    WHEN it runs
    THEN Hasura's constraint-violation error answers and the first insert is rolled back.
    """
    result = await gql(blog_engine, """mutation { a: insert_author(objects: [{name: "E"}])
        { affected_rows } b: insert_author(objects: [{name: "Bob"}]) { affected_rows } }""")
    assert result["errors"][0]["extensions"]["code"] == "constraint-violation"
    assert result["errors"][0]["message"].startswith("Uniqueness violation. ")
    async with blog_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM author WHERE name = 'E'") == 0


async def test_insert_check_failure_is_a_permission_error(
        blog_engine: GraphQLEngine, blog_pool: asyncpg.Pool) -> None:
    """GIVEN an insert check that refuses articles titled "no".

    WHEN the user inserts one
    THEN the insert is refused with Hasura's permission-error and nothing is written.
    """
    async with blog_pool.acquire() as conn:
        await conn.execute("INSERT INTO author (id, name) VALUES (3, 'Carol')")
    meta_engine = await GraphQLEngine.build(blog_pool, _metadata_with_check_on_title())
    result = await gql(meta_engine, """mutation { insert_article(objects: [{title: "no"}])
        { affected_rows } }""", role="user", user_id="3")
    assert result == {"errors": [{
        "message": "check constraint of an insert/update permission has failed",
        "extensions": {"path": "$.selectionSet.insert_article.args.objects",
                       "code": "permission-error"}}]}
    async with blog_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM article WHERE title = 'no'") == 0


async def test_mutation_sets_the_session_for_triggers(blog_engine: GraphQLEngine,
                                                      blog_pool: asyncpg.Pool) -> None:
    """GIVEN a trigger recording current_setting('hasura.user').

    WHEN a user inserts an article
    THEN the trigger saw the session variables as JSON.
    """
    async with blog_pool.acquire() as conn:
        await conn.execute("""CREATE TABLE seen (s text);
            CREATE FUNCTION remember() RETURNS trigger AS $$ BEGIN
              INSERT INTO seen VALUES (current_setting('hasura.user', true)); RETURN NEW; END
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER t AFTER INSERT ON article FOR EACH ROW EXECUTE FUNCTION remember();""")
    await gql(blog_engine, 'mutation { insert_article(objects: [{title: "s"}]) { affected_rows } }',
              role="user", user_id="2")
    async with blog_pool.acquire() as conn:
        seen = await conn.fetchval("SELECT s FROM seen")
    assert '"x-hasura-user-id":"2"' in seen


def _metadata_with_check_on_title() -> dict[str, object]:
    from tests.engine.graphql.conftest import blog_metadata

    meta = blog_metadata()
    article = meta["sources"][0]["tables"][1]
    article["insert_permissions"][0]["permission"]["check"] = {"title": {"_neq": "no"}}
    return meta


async def test_nested_insert_refuses_columns_given_twice(blog_engine: GraphQLEngine) -> None:
    """GIVEN nested inserts that give a relationship's column and the relationship too.

    WHEN an article names author_id and an author, or a nested article names author_id
    THEN Hasura's validation errors answer at the object, and a null relationship is skipped.
    """
    both = await gql(blog_engine, """mutation { insert_article(objects: [{title: "x",
        author_id: 1, author: {data: {name: "E"}}}]) { affected_rows } }""")
    child = await gql(blog_engine, """mutation { insert_author(objects: [{name: "F",
        articles: {data: [{title: "y", author_id: 1}]}}]) { affected_rows } }""")
    nothing = await gql(blog_engine, """mutation { insert_article(objects: [{title: "z",
        author_id: 2, author: null}]) { affected_rows returning { author { name } } } }""")
    assert both["errors"] == [{"message": 'cannot insert object relationship "author" as '
                               '"author_id" column values are already determined',
                               "extensions": {"code": "validation-failed", "path":
                                              "$.selectionSet.insert_article.args.objects[0]"
                                              ".author"}}]
    assert child["errors"] == [{"message": 'cannot insert "author_id" columns as their values '
                                "are already being determined by parent insert",
                                "extensions": {"code": "validation-failed", "path":
                                               "$.selectionSet.insert_author.args.objects[0]"
                                               ".articles.data[0]"}}]
    assert nothing == {"data": {"insert_article": {
        "affected_rows": 1, "returning": [{"author": {"name": "Bob"}}]}}}


async def test_insert_constraint_violation_is_reported_at_the_objects(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN an author name that is already taken (a unique key).

    WHEN inserting it again
    THEN Hasura's constraint-violation error answers at the insert's objects argument.
    """
    result = await gql(blog_engine, 'mutation { insert_author(objects: [{name: "Alice"}]) '
                                    "{ affected_rows } }")
    error = result["errors"][0]
    assert error["extensions"] == {"code": "constraint-violation",
                                   "path": "$.selectionSet.insert_author.args.objects"}
    assert error["message"].startswith("Uniqueness violation. duplicate key value")


async def test_update_with_only_presets_needs_no_operator(blog_pool: asyncpg.Pool) -> None:
    """GIVEN an update permission that presets a column.

    WHEN the role updates with a ``where`` and no operator
    THEN the preset is applied (Hasura asks for an operator only when nothing is preset).
    """
    metadata = blog_metadata()
    author = metadata["sources"][0]["tables"][0]
    permission = author["update_permissions"][0]["permission"]
    permission["columns"] = ["name", "bio"]
    permission["set"] = {"bio": "X-Hasura-User-Id"}
    engine = await GraphQLEngine.build(blog_pool, metadata)
    result = await gql(engine, "mutation { update_author(where: {}) { affected_rows "
                               "returning { bio } } }", role="user", user_id="1")
    assert result == {"data": {"update_author": {"affected_rows": 1,
                                                 "returning": [{"bio": "1"}]}}}
