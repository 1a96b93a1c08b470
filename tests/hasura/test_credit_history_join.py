"""The profiles → credit history remote relationship of hasura/metadata, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from credit_history.seed import synthetic_reports
from devstack.services.credit_history import CreditHistoryService
from tests.hasura.conftest import HasuraTarget

ALICE = "4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11"
BOB = "8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22"
JOINED = ("{ profiles { national_id credit_history { national_id latest_score "
          "reports { score } } } }")


def _graphql(hasura: HasuraTarget, query: str, headers: dict[str, str]) -> Any:
    response = httpx.post(hasura.graphql_url, json={"query": query}, headers={
        "X-Hasura-Admin-Secret": hasura.admin_secret, **headers}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _as_user(user_id: str) -> dict[str, str]:
    return {"X-Hasura-Role": "user", "X-Hasura-User-Id": user_id}


def _service_calls(service: CreditHistoryService) -> int:
    return service.stats()["graphql_requests"]


def test_credit_history_join_gives_each_user_their_own_history(hasura: HasuraTarget) -> None:
    """Credit history join gives each user their own history.

    GIVEN the demo users WHEN each asks for its profile with the credit history THEN it gets
    exactly its own national id's seeded reports, and never the other's.
    """
    seeded: dict[str, list[int]] = {}
    for row in sorted(synthetic_reports(3), key=lambda r: (r[0], r[1]), reverse=True):
        seeded.setdefault(row[0], []).append(row[3])
    for user, national_id, other in ((ALICE, "521-44-1001", "521-44-1002"),
                                     (BOB, "521-44-1002", "521-44-1001")):
        answer = _graphql(hasura, JOINED, _as_user(user))
        assert "data" in answer, answer
        assert answer["data"]["profiles"] == [{"national_id": national_id, "credit_history": {
            "national_id": national_id, "latest_score": seeded[national_id][0],
            "reports": [{"score": s} for s in seeded[national_id]]}}]
        assert other not in str(answer)


def test_credit_history_root_fields_by_role(hasura: HasuraTarget) -> None:
    """Credit history root fields by role.

    GIVEN remote schema permissions enabled and the metadata's role SDL for user
    WHEN admin asks any national id THEN it is answered; WHEN user A asks for B's national
    id THEN it is refused (the argument is a preset, not in its schema); WHEN A asks without
    a national id in its session THEN it is refused, naming the session variable; WITH one
    THEN it gets only that id's history; it has no batched field; anonymous has none at all.
    """
    direct = '{ credit_history(national_id: "521-44-1002") { latest_score } }'
    admin = _graphql(hasura, direct, {})
    assert admin["data"]["credit_history"]["latest_score"] > 0
    batched = _graphql(hasura, '{ credit_reports(national_ids: ["521-44-1001"]) '
                               "{ national_id } }", {})
    assert batched == {"data": {"credit_reports": [{"national_id": "521-44-1001"}]}}

    refused = _graphql(hasura, direct, _as_user(ALICE))
    assert "data" not in refused
    assert refused["errors"][0]["extensions"]["code"] == "validation-failed"
    assert "national_id" in refused["errors"][0]["message"]
    own = "{ credit_history { national_id } }"
    missing = _graphql(hasura, own, _as_user(ALICE))
    assert missing["errors"] == [{"message": '"x-hasura-national-id" session variable '
                                  "expected, but not found",
                                  "extensions": {"path": "$", "code": "not-found"}}]
    preset = _graphql(hasura, own, {**_as_user(ALICE), "X-Hasura-National-Id": "521-44-1001"})
    assert preset == {"data": {"credit_history": {"national_id": "521-44-1001"}}}
    no_batch = _graphql(hasura, '{ credit_reports(national_ids: ["521-44-1002"]) '
                                "{ national_id } }", _as_user(ALICE))
    assert no_batch["errors"][0]["extensions"]["code"] == "validation-failed"

    for query in (direct, own, JOINED):
        anonymous = _graphql(hasura, query, {"X-Hasura-Role": "anonymous"})
        assert "data" not in anonymous
        assert anonymous["errors"][0]["extensions"]["code"] == "validation-failed"


@pytest.fixture
def hundred_profiles(hasura: HasuraTarget) -> Iterator[list[str]]:
    assert hasura.database_url is not None
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(100)]
    with psycopg.connect(hasura.database_url, autocommit=True) as conn:
        for n, user_id in enumerate(ids):
            conn.execute("INSERT INTO users (id, email, name) VALUES (%s, %s, %s)",
                         (user_id, f"join{n}@example.com", f"Join {n}"))
            conn.execute("INSERT INTO profiles (user_id, national_id) VALUES (%s, %s)",
                         (user_id, f"521-44-{1100 + n}"))
    yield ids
    with psycopg.connect(hasura.database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM profiles WHERE user_id = ANY(%s)", (ids,))
        conn.execute("DELETE FROM users WHERE id = ANY(%s)", (ids,))


def test_credit_history_join_of_100_profiles_is_one_remote_call(
        hasura: HasuraTarget, credit_history: CreditHistoryService,
        hundred_profiles: list[str]) -> None:
    """Credit history join of 100 profiles is one remote call.

    GIVEN 100 more profiles WHEN admin selects them all with their credit history THEN the
    credit-history service (counting at the service) answered exactly one request, and each
    profile carries its own national id's history.
    """
    before = _service_calls(credit_history)
    answer = _graphql(hasura, """{ profiles(where: {national_id: {_like: "521-44-11%"}},
        order_by: {national_id: asc}) { national_id credit_history { national_id } } }""", {})
    assert _service_calls(credit_history) - before == 1
    rows = answer["data"]["profiles"]
    assert len(rows) == 100
    assert all(r["credit_history"]["national_id"] == r["national_id"] for r in rows)
