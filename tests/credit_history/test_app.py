"""The service over HTTP (in process): batching within a request, the shared secret, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from common.config import Secret
from credit_history.app import create_app
from credit_history.seed import write_local
from credit_history.settings import CreditHistorySettings

SECRET = {"X-Action-Secret": "s3cret"}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    write_local(tmp_path, 5)
    app = create_app(CreditHistorySettings(data_dir=tmp_path, shared_secret=Secret("s3cret")))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://credit") as http:
        yield http


async def test_app_answers_aliased_fields_with_one_repository_query(
        client: httpx.AsyncClient) -> None:
    """App answers aliased fields with one repository query.

    GIVEN three aliased credit_history fields WHEN asked in one request THEN each gets its own
    history and the repository ran one query.
    """
    response = await client.post("/graphql", headers=SECRET, json={"query": """{
        a: credit_history(national_id: "521-44-1001") { national_id }
        b: credit_history(national_id: "521-44-1002") { national_id }
        c: credit_reports(national_ids: ["521-44-1003"]) { national_id } }"""})
    assert response.json() == {"data": {"a": {"national_id": "521-44-1001"},
                                        "b": {"national_id": "521-44-1002"},
                                        "c": [{"national_id": "521-44-1003"}]}}
    stats = (await client.get("/stats", headers=SECRET)).json()
    assert stats == {"graphql_requests": 1, "repository_queries": 1}


async def test_app_refuses_requests_without_the_shared_secret(client: httpx.AsyncClient) -> None:
    """App refuses requests without the shared secret.

    GIVEN no or a wrong X-Action-Secret WHEN a query comes THEN 401, and health still answers.
    """
    query = {"query": '{ credit_history(national_id: "521-44-1001") { national_id } }'}
    assert (await client.post("/graphql", json=query)).status_code == 401
    wrong = await client.post("/graphql", json=query, headers={"X-Action-Secret": "nope"})
    assert wrong.status_code == 401
    assert (await client.get("/healthz")).status_code == 200


async def test_app_rejects_a_malformed_national_id(client: httpx.AsyncClient) -> None:
    """App rejects a malformed national id.

    GIVEN an id with spaces WHEN asked THEN a GraphQL error with code invalid-national-id.
    """
    response = await client.post("/graphql", headers=SECRET, json={
        "query": '{ credit_history(national_id: "1 OR 1=1") { national_id } }'})
    assert response.json()["errors"][0]["extensions"]["code"] == "invalid-national-id"
