"""Queries compiled to SQL: selections, filters, ordering, aggregates, fragments, variables."""

from __future__ import annotations

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql


async def test_select_nested_relationships_with_their_own_arguments(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN authors with articles.

    WHEN selecting authors with ordered array and object relationships nested
    THEN the JSON mirrors the selection, bigint as strings, nested arguments applied.
    """
    result = await gql(blog_engine, """{ author(order_by: {id: asc}) { id name
        articles(order_by: {id: desc}, limit: 1) { id views author { name } } } }""")
    assert result == {"data": {"author": [
        {"id": 1, "name": "Alice", "articles": [{"id": 2, "views": "20",
                                                  "author": {"name": "Alice"}}]},
        {"id": 2, "name": "Bob", "articles": [{"id": 3, "views": "30",
                                                "author": {"name": "Bob"}}]}]}}


async def test_where_across_relationships_and_boolean_operators(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN articles by two authors.

    WHEN filtering with _or, _not, _in, _ilike and a condition on the author relationship
    THEN only the matching rows come back.
    """
    result = await gql(blog_engine, """{ article(where: {_or: [
        {author: {name: {_eq: "Bob"}}}, {_and: [{title: {_ilike: "a%"}},
        {_not: {id: {_in: [2]}}}]}]}, order_by: {id: asc}) { id } }""")
    assert result == {"data": {"article": [{"id": 1}, {"id": 3}]}}


async def test_jsonb_operators_and_null_checks(blog_engine: GraphQLEngine) -> None:
    """GIVEN articles with jsonb tags and a null rating.

    WHEN filtering with _has_key, _contains and _is_null
    THEN each operator selects the expected row.
    """
    result = await gql(blog_engine, """{
        a: article(where: {tags: {_has_key: "k"}}) { id }
        b: article(where: {tags: {_contains: {j: 2}}}) { id }
        c: article(where: {rating: {_is_null: true}}) { id } }""")
    assert result == {"data": {"a": [{"id": 1}], "b": [{"id": 2}], "c": [{"id": 3}]}}


async def test_order_by_object_relationship_and_aggregate(blog_engine: GraphQLEngine) -> None:
    """GIVEN two authors, one with two articles.

    WHEN ordering authors by their article count and articles by author name
    THEN the order follows the related values.
    """
    result = await gql(blog_engine, """{
        author(order_by: {articles_aggregate: {count: desc}}) { name }
        article(order_by: [{author: {name: desc}}, {id: asc}]) { id } }""")
    assert result["data"]["author"] == [{"name": "Alice"}, {"name": "Bob"}]
    assert result["data"]["article"] == [{"id": 3}, {"id": 1}, {"id": 2}]


async def test_aggregate_with_nodes_and_filters(blog_engine: GraphQLEngine) -> None:
    """GIVEN three articles.

    WHEN asking for count, sum, max and nodes of the published ones
    THEN the aggregate covers only the filtered rows.
    """
    result = await gql(blog_engine, """{ article_aggregate(where: {is_published: {_eq: true}}) {
        aggregate { count sum { views } max { title } } nodes { id } } }""")
    assert result == {"data": {"article_aggregate": {
        "aggregate": {"count": 2, "sum": {"views": "40"}, "max": {"title": "B1"}},
        "nodes": [{"id": 1}, {"id": 3}]}}}


async def test_by_pk_fragments_aliases_typename_and_distinct_on(
        blog_engine: GraphQLEngine) -> None:
    """GIVEN the blog data.

    WHEN combining by_pk, a fragment, aliases, __typename and distinct_on
    THEN every root field answers in one response.
    """
    result = await gql(blog_engine, """
        query Q($id: Int!) { one: author_by_pk(id: $id) { ...A __typename }
          missing: author_by_pk(id: 99) { id }
          __typename
          d: article(distinct_on: author_id, order_by: [{author_id: asc}, {id: desc}]) { id } }
        fragment A on author { name }""", variables={"id": 2})
    assert result == {"data": {"one": {"name": "Bob", "__typename": "author"},
                               "missing": None, "__typename": "query_root",
                               "d": [{"id": 2}, {"id": 3}]}}


async def test_cached_plan_binds_new_variable_values(blog_engine: GraphQLEngine) -> None:
    """GIVEN a query run once with one variable value.

    WHEN the same document runs with another value (the plan comes from the cache)
    THEN the answer follows the new value, including a structural one (order direction).
    """
    query = """query($n: String!, $o: order_by!) {
        article(where: {author: {name: {_eq: $n}}}, order_by: {id: $o}) { id } }"""
    first = await gql(blog_engine, query, variables={"n": "Alice", "o": "asc"})
    second = await gql(blog_engine, query, variables={"n": "Alice", "o": "desc"})
    third = await gql(blog_engine, query, variables={"n": "Bob", "o": "desc"})
    assert first == {"data": {"article": [{"id": 1}, {"id": 2}]}}
    assert second == {"data": {"article": [{"id": 2}, {"id": 1}]}}
    assert third == {"data": {"article": [{"id": 3}]}}


async def test_batched_requests_answer_in_order(blog_engine: GraphQLEngine) -> None:
    """GIVEN a batch of two requests, the second invalid.

    WHEN executing the batch
    THEN a JSON array answers each request in order.
    """
    from engine.session import Session

    body = await blog_engine.execute(
        [{"query": "{ author_by_pk(id: 1) { name } }"}, {"query": "{ nope }"}],
        Session("admin", {"x-hasura-role": "admin"}, True), {})
    import orjson

    answer = orjson.loads(body)
    assert answer[0] == {"data": {"author_by_pk": {"name": "Alice"}}}
    assert answer[1]["errors"][0]["extensions"]["code"] == "validation-failed"


async def test_introspection_answers_through_graphql_core(blog_engine: GraphQLEngine) -> None:
    """GIVEN the admin schema.

    WHEN a client asks for __schema and __type
    THEN the query and mutation roots and the table type are described.
    """
    result = await gql(blog_engine, """{ __schema { queryType { name } mutationType { name } }
        __type(name: "author") { fields { name } } }""")
    assert result["data"]["__schema"] == {"queryType": {"name": "query_root"},
                                          "mutationType": {"name": "mutation_root"}}
    names = {f["name"] for f in result["data"]["__type"]["fields"]}
    assert {"id", "name", "articles", "articles_aggregate"} <= names


async def test_full_introspection_builds_a_client_schema(blog_engine: GraphQLEngine) -> None:
    """GIVEN the introspection query GraphiQL and the gql client send.

    WHEN a role runs it
    THEN a client schema can be built from the answer and shows only what the role may use.
    """
    from graphql import build_client_schema, get_introspection_query

    result = await gql(blog_engine, get_introspection_query(descriptions=True), role="anonymous")
    schema = build_client_schema(result["data"])
    query_type = schema.query_type
    assert query_type is not None
    assert set(query_type.fields) == {"author", "author_by_pk", "article", "article_by_pk"}
    assert schema.mutation_type is None
