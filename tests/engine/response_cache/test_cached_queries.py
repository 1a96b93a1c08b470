"""``@cached`` queries through the engine over HTTP, with a real Redis.

One engine with ``HASURA_GRAPHQL_REDIS_URL`` and one without, on a table ``note`` that role
``user`` reads only where ``owner_id = X-Hasura-User-Id``, and a table ``news`` that every
``user`` reads whole. A row changed behind the engine's back shows whether an answer came
from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from devstack.services.engine import EngineHandle

NOTES = "query Notes @cached(ttl: 120) { note(order_by: {id: asc}) { id body } }"
NEWS = "query News($min: Int!) @cached { news(where: {id: {_gte: $min}}) { id title } }"

SETUP_SQL = """
    create table note (id int primary key, owner_id int not null, body text not null);
    insert into note values (1, 1, 'one'), (2, 2, 'two'), (3, 1, 'three');
    create table news (id int primary key, title text not null);
    insert into news values (1, 'first'), (2, 'second');
"""


def _track(handle: EngineHandle) -> EngineHandle:
    handle.run_sql(SETUP_SQL)
    response = handle.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "note"}},
        {"type": "pg_track_table", "args": {"table": "news"}},
        {"type": "pg_create_select_permission", "args": {
            "table": "note", "role": "user", "permission": {
                "columns": ["id", "body"], "filter": {"owner_id": {"_eq": "X-Hasura-User-Id"}}}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "news", "role": "user", "permission": {"columns": "*", "filter": {}}}},
    ]})
    assert response.status_code == 200, response.text
    return handle


@pytest.fixture(scope="module")
def cache_url(redis_database: Callable[[], str]) -> str:
    """The Redis database of this module's response cache."""
    return redis_database()


@pytest.fixture(scope="module")
def cached_engine(start_engine: Callable[..., EngineHandle],
                  create_database: Callable[[str], str], cache_url: str) -> EngineHandle:
    """An engine whose response cache is ``cache_url``."""
    return _track(start_engine(create_database("cached"), extra_env={
        "HASURA_GRAPHQL_REDIS_URL": cache_url}))


@pytest.fixture(autouse=True)
def _empty_cache(cache_url: str) -> None:
    import redis

    client = redis.Redis.from_url(cache_url)
    try:
        client.flushdb()
    finally:
        client.close()


def _ask(engine: EngineHandle, user: int, query: str,
         variables: dict[str, Any] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    response = engine.post("/v1/graphql", body, engine.admin_headers(
        X_Hasura_Role="user", X_Hasura_User_Id=str(user)))
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


def _set_body(engine: EngineHandle, note_id: int, body: str) -> None:
    assert body.replace(" ", "").isalnum()
    engine.run_sql(f"update note set body = '{body}' where id = {note_id}")  # noqa: S608


def test_cached_query_never_answers_a_user_with_another_users_entry(
        cached_engine: EngineHandle) -> None:
    """Cached query never answers a user with another user's entry.

    GIVEN notes readable by their owner only WHEN users 1 and 2 ask the same @cached query,
    and ask again after the rows changed THEN each gets their own notes (again from their own
    entry: the change is not seen), under different cache keys with Hasura's headers.
    """
    first = _ask(cached_engine, 1, NOTES)
    second = _ask(cached_engine, 2, NOTES)
    assert first.json()["data"]["note"] == [{"id": 1, "body": "one"}, {"id": 3, "body": "three"}]
    assert second.json()["data"]["note"] == [{"id": 2, "body": "two"}]
    assert first.headers["cache-control"] == "max-age=120"
    key_1 = first.headers["x-hasura-query-cache-key"]
    key_2 = second.headers["x-hasura-query-cache-key"]
    assert key_1 != key_2
    assert (first.headers["x-hasura-query-family-cache-key"]
            == second.headers["x-hasura-query-family-cache-key"])
    _set_body(cached_engine, 1, "changed")
    _set_body(cached_engine, 2, "changed")
    again_1 = _ask(cached_engine, 1, NOTES)
    again_2 = _ask(cached_engine, 2, NOTES)
    assert again_1.json() == first.json()
    assert again_2.json() == second.json()
    assert again_1.headers["x-hasura-query-cache-key"] == key_1
    assert 0 < int(again_1.headers["cache-control"].removeprefix("max-age=")) <= 120
    # A third user has no entry yet: their own rows, fresh.
    assert _ask(cached_engine, 3, NOTES).json()["data"]["note"] == []
    _set_body(cached_engine, 1, "one")
    _set_body(cached_engine, 2, "two")


def test_cached_query_shares_an_entry_when_the_permissions_read_no_session_variable(
        cached_engine: EngineHandle) -> None:
    """Cached query shares an entry when the permissions read no session variable.

    GIVEN news readable by every user WHEN users 1 and 2 ask the same @cached query with the
    same variables THEN one key; other variables are another key in the same family.
    """
    one = _ask(cached_engine, 1, NEWS, {"min": 1})
    two = _ask(cached_engine, 2, NEWS, {"min": 1})
    other = _ask(cached_engine, 2, NEWS, {"min": 2})
    assert one.headers["x-hasura-query-cache-key"] == two.headers["x-hasura-query-cache-key"]
    assert one.headers["cache-control"] == "max-age=60"
    assert other.headers["x-hasura-query-cache-key"] != one.headers["x-hasura-query-cache-key"]
    assert (other.headers["x-hasura-query-family-cache-key"]
            == one.headers["x-hasura-query-family-cache-key"])
    assert other.json()["data"]["news"] == [{"id": 2, "title": "second"}]


def test_cached_query_refresh_and_clearing_fetch_the_rows_again(
        cached_engine: EngineHandle) -> None:
    """Cached query refresh and clearing fetch the rows again.

    GIVEN a cached answer and a changed row WHEN the query is sent with refresh: true,
    then the entry is cleared by key, by family and all at once THEN each time the next
    answer is the database's; clearing needs the admin.
    """
    key = _ask(cached_engine, 1, NOTES).headers["x-hasura-query-cache-key"]
    _set_body(cached_engine, 1, "refreshed")
    refreshed = _ask(cached_engine, 1, NOTES.replace("@cached(ttl: 120)",
                                                     "@cached(ttl: 120, refresh: true)"))
    assert refreshed.json()["data"]["note"][0]["body"] == "refreshed"
    assert refreshed.headers["x-hasura-query-cache-key"] == key
    assert _ask(cached_engine, 1, NOTES).json()["data"]["note"][0]["body"] == "refreshed"

    denied = cached_engine.post("/pro/cache/clear", None, {})
    assert denied.status_code in (400, 401), denied.text
    for clear in (f"key={key}", "family=" + _ask(cached_engine, 1, NOTES).headers[
            "x-hasura-query-family-cache-key"], ""):
        _ask(cached_engine, 1, NOTES)  # cached again
        _set_body(cached_engine, 1, _after(clear))
        cleared = cached_engine.post(f"/pro/cache/clear?{clear}", None,
                                     cached_engine.admin_headers())
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["cleared"] >= 1
        assert _ask(cached_engine, 1, NOTES).json()["data"]["note"][0]["body"] == (
            _after(clear))
    _set_body(cached_engine, 1, "one")


def _after(clear: str) -> str:
    """The text a note gets before clearing with ``clear`` (letters and spaces only)."""
    return "after " + (clear.split("=")[0] or "all")


def test_cached_query_without_redis_is_answered_uncached(
        start_engine: Callable[..., EngineHandle],
        create_database: Callable[[str], str]) -> None:
    """Cached query without Redis is answered uncached.

    GIVEN an engine without HASURA_GRAPHQL_REDIS_URL WHEN a @cached query is sent twice
    around a change THEN both answers are fresh, without cache headers, as Hasura CE does;
    the clearing endpoint does not exist.
    """
    plain = _track(start_engine(create_database("uncached")))
    try:
        first = _ask(plain, 1, NOTES)
        _set_body(plain, 1, "fresh")
        second = _ask(plain, 1, NOTES)
        assert first.json()["data"]["note"][0]["body"] == "one"
        assert second.json()["data"]["note"][0]["body"] == "fresh"
        assert "x-hasura-query-cache-key" not in second.headers
        assert "cache-control" not in second.headers
        assert plain.post("/pro/cache/clear", None, plain.admin_headers()).status_code == 404
    finally:
        plain.close()
        plain.server.stop()
