"""The Athena repository against botocore's Stubber: parameters, paging, polling, failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from credit_history.athena_repository import AthenaRepository
from credit_history.errors import QueryFailedError, QueryTimeoutError
from credit_history.queries import COLUMNS, reports_sql
from credit_history.repository import CreditReportRow


class FakeClock:
    """Time that moves only when the repository sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def athena() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _status(state: str, reason: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status}}


def _page(rows: list[list[str]], token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"ResultSet": {
        "Rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in rows],
        "ResultSetMetadata": {"ColumnInfo": [{"Name": c, "Type": "varchar"} for c in COLUMNS]}}}
    if token:
        page["NextToken"] = token
    return page


def _start(stubber: Stubber, ids: list[str]) -> None:
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, {
        "QueryString": reports_sql(len(ids)), "QueryExecutionContext": {"Database": "credit"},
        "WorkGroup": "credit-history", "ExecutionParameters": [f"'{i}'" for i in ids]})


ROW_1 = ["521-44-1001", "2024-11-26", "Experian", "668", "3", "1200.5", "0"]
ROW_2 = ["521-44-1001", "2024-08-12", "Equifax", "673", "2", "900.0", "1"]


def test_athena_repository_polls_with_backoff_and_follows_pages(
        athena: tuple[Any, Stubber]) -> None:
    """Athena repository polls with backoff and follows pages.

    GIVEN a query that runs twice before succeeding and results on two pages
    WHEN reports are read THEN the ids go as parameters in the workgroup, polling backs off,
    the header row is skipped and both pages' rows come back typed.
    """
    client, stubber = athena
    _start(stubber, ["521-44-1001"])
    for state in ("QUEUED", "RUNNING", "SUCCEEDED"):
        stubber.add_response("get_query_execution", _status(state), {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_results", _page([list(COLUMNS), ROW_1], "t-2"),
                         {"QueryExecutionId": "q-1"})
    stubber.add_response("get_query_results", _page([ROW_2]),
                         {"QueryExecutionId": "q-1", "NextToken": "t-2"})
    clock = FakeClock()
    repository = AthenaRepository(client, "credit-history", "credit", sleep=clock.sleep,
                                  clock=clock)
    rows = repository.reports(["521-44-1001"])
    assert rows == [
        CreditReportRow("521-44-1001", date(2024, 11, 26), "Experian", 668, 3, 1200.5, 0),
        CreditReportRow("521-44-1001", date(2024, 8, 12), "Equifax", 673, 2, 900.0, 1)]
    assert clock.sleeps == [0.2, 0.4]
    assert repository.queries == 1


def test_athena_repository_reports_a_failed_query(athena: tuple[Any, Stubber]) -> None:
    """Athena repository reports a failed query.

    GIVEN Athena fails the query WHEN reports are read THEN the error carries Athena's reason.
    """
    client, stubber = athena
    _start(stubber, ["521-44-1001"])
    stubber.add_response("get_query_execution", _status("FAILED", "TABLE_NOT_FOUND"),
                         {"QueryExecutionId": "q-1"})
    clock = FakeClock()
    repository = AthenaRepository(client, "credit-history", "credit", sleep=clock.sleep,
                                  clock=clock)
    with pytest.raises(QueryFailedError, match="failed: TABLE_NOT_FOUND"):
        repository.reports(["521-44-1001"])


def test_athena_repository_stops_a_query_past_its_timeout(athena: tuple[Any, Stubber]) -> None:
    """Athena repository stops a query past its timeout.

    GIVEN a query that keeps running WHEN the timeout passes THEN the query is stopped and a
    timeout error is raised.
    """
    client, stubber = athena
    _start(stubber, ["521-44-1001"])
    for _ in range(2):
        stubber.add_response("get_query_execution", _status("RUNNING"),
                             {"QueryExecutionId": "q-1"})
    stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    clock = FakeClock()
    repository = AthenaRepository(client, "credit-history", "credit", timeout_seconds=0.5,
                                  sleep=clock.sleep, clock=clock)
    with pytest.raises(QueryTimeoutError, match=r"within 0\.5 seconds"):
        repository.reports(["521-44-1001"])
    assert clock.sleeps == [0.2]
