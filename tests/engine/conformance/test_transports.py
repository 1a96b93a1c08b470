"""Which transports a conformance class runs over, and which requests stay HTTP only."""

from __future__ import annotations

import json
from pathlib import Path

from engine.conformance.cases import Request, load
from engine.conformance.websocket import websocket_skip_reason


def _request(**fields: object) -> Request:
    base: dict[str, object] = {"url": "/v1/graphql", "status": 200, "headers": {},
                               "query": {"query": "{ a }"}, "response": {}}
    base.update(fields)
    return Request(**base)  # type: ignore[arg-type]


def test_load_reads_the_transports_a_class_is_parametrized_over(tmp_path: Path) -> None:
    """GIVEN one class parametrized over http and websocket, one not.

    WHEN the manifest is loaded
    THEN the first runs over both transports, the second over HTTP only.
    """
    (tmp_path / "a").mkdir()
    (tmp_path / "manifest.json").write_text(json.dumps([
        {"class": "Both", "dir": "a", "fixtures": [], "cases": [], "decorators": [
            "pytest.mark.parametrize('transport', ['http', 'websocket'])"]},
        {"class": "Http", "dir": "a", "fixtures": [], "cases": [],
         "decorators": ["usefixtures('per_class_tests_db_state')"]}]))
    both, http = load(tmp_path)
    assert both.transports == ("http", "websocket")
    assert http.transports == ("http",)


def test_websocket_skip_reason_keeps_non_graphql_batches_and_statuses_on_http() -> None:
    """GIVEN requests WHEN asked whether they go over the socket THEN only GraphQL ones do."""
    assert websocket_skip_reason(_request()) is None
    assert websocket_skip_reason(_request(url="/v1/query")) == "not a GraphQL request"
    assert websocket_skip_reason(_request(url="/v1beta1/relay")) is None
    assert websocket_skip_reason(_request(query=[{"query": "{ a }"}])) is not None
    assert websocket_skip_reason(_request(status=400)) is not None
