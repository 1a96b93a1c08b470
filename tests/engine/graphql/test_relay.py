"""Relay connections: cursors that mirror ``order_by`` and Hasura's ``pageInfo``."""

from __future__ import annotations

import base64
import json
from typing import Any

import orjson

from engine.graphql import GraphQLEngine
from engine.session import Session

_QUERY = """query ($after: String, $before: String, $first: Int, $last: Int) {
  author_connection(first: $first, last: $last, after: $after, before: $before,
                    order_by: {articles_aggregate: {count: asc}}) {
    pageInfo { startCursor endCursor hasPreviousPage hasNextPage }
    edges { cursor node { name } } } }"""


async def _page(engine: GraphQLEngine, **variables: Any) -> dict[str, Any]:
    body = await engine.execute({"query": _QUERY, "variables": variables},
                                Session("admin", {"x-hasura-role": "admin"}, True), {},
                                relay=True)
    result: dict[str, Any] = orjson.loads(body)["data"]["author_connection"]
    return result


def _decode(cursor: str) -> Any:
    return json.loads(base64.b64decode(cursor))


async def test_relay_pages_ordered_by_an_aggregate(blog_engine: GraphQLEngine) -> None:
    """GIVEN authors ordered by their article count (Bob 1, Alice 2).

    WHEN paging forward after the first author and backward before the last
    THEN cursors record the aggregate and the key, and pageInfo tells of rows on either side.
    """
    first = await _page(blog_engine, first=1)
    cursor = first["edges"][0]["cursor"]
    assert _decode(cursor) == {"articles_aggregate": {"count": 1}, "id": 2}
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["hasNextPage"] is True
    second = await _page(blog_engine, first=1, after=cursor)
    assert [e["node"]["name"] for e in second["edges"]] == ["Alice"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False
    back = await _page(blog_engine, last=1, before=second["pageInfo"]["endCursor"])
    assert [e["node"]["name"] for e in back["edges"]] == ["Bob"]
    assert back["pageInfo"]["hasPreviousPage"] is False
    assert back["pageInfo"]["hasNextPage"] is True


async def test_relay_mutations_answer_global_ids(blog_engine: GraphQLEngine) -> None:
    """GIVEN the Relay API.

    WHEN inserting an author through it
    THEN the mutation is served and the returned ``id`` is the row's global id.
    """
    body = await blog_engine.execute(
        {"query": 'mutation { insert_author(objects: [{name: "Cy"}]) { returning { id name } } }'},
        Session("admin", {"x-hasura-role": "admin"}, True), {}, relay=True)
    returning = orjson.loads(body)["data"]["insert_author"]["returning"]
    assert returning[0]["name"] == "Cy"
    assert _decode(returning[0]["id"]) == [1, "public", "author", 3]
