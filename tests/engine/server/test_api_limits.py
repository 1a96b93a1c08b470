"""Hasura's API limits and the request guards, through the engine over HTTP.

One engine on a small self-referencing table (``node.parent`` / ``node.children``), with
role ``anonymous`` allowed to read it; each test sets the ``api_limits`` it needs.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devstack.services.engine import EngineHandle

POOL = 6


@pytest.fixture(scope="module")
def limited(start_engine: Callable[..., EngineHandle],
            create_database: Callable[[str], str]) -> EngineHandle:
    """An engine (pool of 6) whose anonymous role reads ``node`` and the slow view ``nap``."""
    handle = start_engine(create_database("limits"), unauthorized_role="anonymous",
                          extra_env={"HASURA_GRAPHQL_PG_CONNECTIONS": str(POOL)})
    handle.run_sql("""
        create table node (id int primary key, parent_id int references node(id));
        insert into node values (1, null), (2, 1), (3, 2);
        create view nap as select 1 as id, pg_sleep(3)::text as slept;
        create view doze as select 1 as id, pg_sleep(0.4)::text as slept;
    """)
    response = handle.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "node"}},
        {"type": "pg_track_table", "args": {"table": "nap"}},
        {"type": "pg_track_table", "args": {"table": "doze"}},
        {"type": "pg_create_object_relationship", "args": {
            "table": "node", "name": "parent",
            "using": {"foreign_key_constraint_on": "parent_id"}}},
        *[{"type": "pg_create_select_permission", "args": {
            "table": t, "role": "anonymous", "permission": {"columns": "*", "filter": {}}}}
          for t in ("node", "nap", "doze")],
    ]})
    assert response.status_code == 200, response.text
    return handle


@pytest.fixture
def set_limits(limited: EngineHandle) -> Iterator[Callable[[dict[str, Any]], None]]:
    """``set_limits(api_limits)``; the limits are removed after the test."""

    def apply(limits: dict[str, Any]) -> None:
        response = limited.metadata({"type": "set_api_limits", "args": limits})
        assert response.status_code == 200, response.text

    yield apply
    limited.metadata({"type": "remove_api_limits", "args": {}})


def _anonymous(engine: EngineHandle, body: Any, headers: dict[str, str] | None = None
               ) -> httpx.Response:
    return engine.post("/v1/graphql", body, headers or {})


DEEP = "{ node(where: {id: {_eq: 3}}) { id parent { id parent { id parent { id } } } } }"


def test_api_limits_refuse_a_query_past_the_depth_limit(
        limited: EngineHandle, set_limits: Callable[[dict[str, Any]], None]) -> None:
    """Api limits refuse a query past the depth limit.

    GIVEN depth limit 2 for anonymous WHEN anonymous asks a depth-4 query THEN
    validation-failed naming the limit, no data; the admin role is not limited.
    """
    set_limits({"depth_limit": {"global": 10, "per_role": {"anonymous": 2}}})
    body = _anonymous(limited, {"query": DEEP}).json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "depth limit (2)" in body["errors"][0]["message"]
    assert limited.graphql(DEEP)["data"]["node"][0]["parent"]["parent"]["id"] == 1


def test_api_limits_refuse_a_batch_past_the_batch_limit_and_nodes_past_the_node_limit(
        limited: EngineHandle, set_limits: Callable[[dict[str, Any]], None]) -> None:
    """Api limits refuse a batch past the batch limit and nodes past the node limit.

    GIVEN batch limit 2 and node limit 2 WHEN a batch of 3, then a query of 3 aliased
    object fields, are sent THEN each is refused; a batch of 2 small queries answers.
    """
    set_limits({"batch_limit": {"global": 2}, "node_limit": {"global": 2}})
    small = {"query": "{ node(limit: 1) { id } }"}
    assert "errors" in _anonymous(limited, [small] * 3).json()
    ok = _anonymous(limited, [small] * 2).json()
    assert [part["data"]["node"] for part in ok] == [[{"id": 1}], [{"id": 1}]]
    wide = {"query": "{ a: node { id } b: node { id } c: node { id } }"}
    assert "node limit (2)" in _anonymous(limited, wide).json()["errors"][0]["message"]


def test_api_limits_time_limit_cancels_the_statement_and_frees_the_connection(
        limited: EngineHandle, set_limits: Callable[[dict[str, Any]], None]) -> None:
    """Api limits time limit cancels the statement and frees the connection.

    GIVEN time limit 0.5 s for anonymous and a pool of 3 WHEN 6 queries of a 3-second view
    run at once THEN each answers time-limit-exceeded well before 3 s, and a normal query
    answers right after (no connection left held).
    """
    set_limits({"time_limit": {"global": 0.5}})
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2 * POOL) as pool:
        answers = list(pool.map(lambda _: _anonymous(limited, {"query": "{ nap { slept } }"}),
                                range(2 * POOL)))
    elapsed = time.monotonic() - started
    codes = [a.json()["errors"][0]["extensions"]["code"] for a in answers]
    assert codes == ["time-limit-exceeded"] * (2 * POOL)
    assert elapsed < 2 * 3.0  # two waves of 0.5 s, not two of 3 s
    quick = _anonymous(limited, {"query": "{ node(limit: 1) { id } }"})
    assert quick.json() == {"data": {"node": [{"id": 1}]}}


def test_api_limits_time_limit_bounds_the_whole_operation_not_each_statement(
        limited: EngineHandle, set_limits: Callable[[dict[str, Any]], None]) -> None:
    """Api limits time limit bounds the whole operation, not each statement.

    GIVEN time limit 1.5 s and a view that takes 0.4 s WHEN one operation reads it through
    2 root fields, then through 5 (each statement well under the limit, 2 s in all) THEN
    the first answers; the second is cancelled (time-limit-exceeded) once 1.5 s are spent.
    """
    set_limits({"time_limit": {"global": 1.5}})
    two = _anonymous(limited, {"query": "{ a: doze { id } b: doze { id } }"}).json()
    assert two == {"data": {"a": [{"id": 1}], "b": [{"id": 1}]}}
    five = "{ " + " ".join(f"{alias}: doze {{ id }}" for alias in "abcde") + " }"
    body = _anonymous(limited, {"query": five}).json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "time-limit-exceeded"


def test_api_limits_rate_limit_ignores_a_forged_x_forwarded_for(
        limited: EngineHandle, set_limits: Callable[[dict[str, Any]], None]) -> None:
    """Api limits rate limit ignores a forged x forwarded for.

    GIVEN 3 requests per minute per IP for anonymous and no trusted proxy WHEN one client
    sends 5 with a different X-Forwarded-For each THEN the 4th and 5th are refused
    (rate-limit-exceeded): the header does not pick the bucket.
    """
    set_limits({"rate_limit": {"global": {"max_reqs_per_min": 1000},
                               "per_role": {"anonymous": {"max_reqs_per_min": 3,
                                                          "unique_params": "IP"}}}})
    codes = []
    for i in range(5):
        body = _anonymous(limited, {"query": "{ node(limit: 1) { id } }"},
                          {"X-Forwarded-For": f"198.51.100.{i}"}).json()
        codes.append(body["errors"][0]["extensions"]["code"] if "errors" in body else "ok")
    assert codes == ["ok", "ok", "ok", "rate-limit-exceeded", "rate-limit-exceeded"]


def test_request_guard_refuses_a_20_mb_body_with_413_unread(limited: EngineHandle) -> None:
    """Request guard refuses a 20 mb body with 413 unread.

    GIVEN the default 4 MiB body limit WHEN 20 MB are posted (declared length, then chunked
    with no length) THEN 413 request-too-large both times, and the engine still answers.
    """
    big = b'{"query": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    headers = {"Content-Type": "application/json"}
    declared = limited.http.post("/v1/graphql", content=big, headers=headers)
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["code"] == "request-too-large"

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 1 << 20):
            yield big[start:start + (1 << 20)]

    try:
        chunked = limited.http.post("/v1/metadata", content=chunks(), headers=headers)
        assert chunked.status_code == 413
    except httpx.HTTPError:
        pass  # the server may close the connection while the client still sends: refused too
    assert limited.http.get("/healthz").status_code == 200


def test_request_guard_refuses_a_body_that_is_not_declared_json(limited: EngineHandle) -> None:
    """Request guard refuses a body that is not declared json.

    GIVEN a cross-site "simple" request (text/plain, form-encoded) WHEN posted to
    /v1/graphql and /v1/metadata THEN 415, nothing run.
    """
    body = b'{"query": "{ node { id } }"}'
    for path in ("/v1/graphql", "/v1/metadata"):
        for kind in ("text/plain", "application/x-www-form-urlencoded"):
            response = limited.http.post(path, content=body, headers={"Content-Type": kind})
            assert response.status_code == 415, (path, kind)


def test_errors_echo_client_input_truncated(limited: EngineHandle) -> None:
    """Errors echo client input truncated.

    GIVEN a query naming an unknown field of 1 MB WHEN sent THEN the error answers in a
    few kilobytes, not the size of the request.
    """
    name = "f" * (1024 * 1024)
    response = _anonymous(limited, {"query": "{ " + name + " }"})
    assert response.status_code == 200
    assert "errors" in response.json()
    assert len(response.content) < 4096


def test_api_limits_rate_limit_reads_x_forwarded_for_from_a_trusted_proxy(
        start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
) -> None:
    """Api limits rate limit reads x forwarded for from a trusted proxy.

    GIVEN an engine behind a trusted proxy (ENGINE_TRUSTED_PROXIES=127.0.0.1) and 2
    requests per minute per IP WHEN client A sends 3 through it, each with a different forged
    entry left of the proxy's, THEN A's 3rd is refused, while client B still gets through.
    """
    handle = start_engine(create_database("limitsproxy"), unauthorized_role="anonymous",
                          extra_env={"ENGINE_TRUSTED_PROXIES": "127.0.0.1"})
    response = handle.metadata({"type": "set_api_limits", "args": {"rate_limit": {
        "global": {"max_reqs_per_min": 2, "unique_params": "IP"}}}})
    assert response.status_code == 200, response.text

    def code(forwarded: str) -> str:
        body = handle.post("/v1/graphql", {"query": "{ __typename }"},
                           {"X-Forwarded-For": forwarded}).json()
        return str(body["errors"][0]["extensions"]["code"]) if "errors" in body else "ok"

    a = [code(f"6.6.6.{i}, 203.0.113.1") for i in range(3)]
    assert a == ["ok", "ok", "rate-limit-exceeded"]
    assert code("203.0.113.2") == "ok"
