"""The production repository: Athena through boto3.

One query per batch of ids: ``StartQueryExecution`` in the configured workgroup (which
enforces the result location and its encryption) with the ids as ``ExecutionParameters``,
then ``GetQueryExecution`` polled with exponential backoff until a final state or the
timeout (the query is then stopped), then every page of ``GetQueryResults``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from credit_history.errors import QueryFailedError, QueryTimeoutError
from credit_history.price_archive import (
    ARCHIVE_COLUMNS,
    ArchivedPriceRow,
    ArchiveQuery,
    archived_prices_sql,
    archived_row,
)
from credit_history.queries import COLUMNS, batches, reports_sql
from credit_history.repository import CreditReportRow

RUNNING_STATES = frozenset({"QUEUED", "RUNNING"})


def sql_literal(value: str) -> str:
    """A string as the SQL literal Athena's ``ExecutionParameters`` expect."""
    return "'" + value.replace("'", "''") + "'"


class AthenaRepository:
    """Reads ``credit_reports`` with Athena."""

    def __init__(self, client: Any, workgroup: str, database: str, *,
                 timeout_seconds: float = 30.0, first_poll_seconds: float = 0.2,
                 max_poll_seconds: float = 2.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.workgroup = workgroup
        self.database = database
        self.timeout_seconds = timeout_seconds
        self.first_poll_seconds = first_poll_seconds
        self.max_poll_seconds = max_poll_seconds
        self.sleep = sleep
        self.clock = clock
        self.queries = 0

    def reports(self, national_ids: Sequence[str]) -> list[CreditReportRow]:
        """Every report of the ids (one Athena query per batch)."""
        out: list[CreditReportRow] = []
        for batch in batches(national_ids):
            out.extend(_row(r) for r in self.run(reports_sql(len(batch)),
                                                  [sql_literal(v) for v in batch]))
        return out

    def archived_prices(self, query: ArchiveQuery) -> list[ArchivedPriceRow]:
        """One symbol's archived prices (one Athena query over ``crypto_prices_archive``)."""
        rows = self.run(archived_prices_sql(query.limit),
                        [sql_literal(p) for p in query.parameters()])
        return [archived_row([r.get(c) for c in ARCHIVE_COLUMNS]) for r in rows]

    def run(self, sql: str, parameters: list[str]) -> list[dict[str, str | None]]:
        """Run one statement; its rows as column name → text (None for NULL).

        Raises:
            QueryFailedError: Athena failed or cancelled the query.
            QueryTimeoutError: it did not finish in time (it is stopped).
        """
        self.queries += 1
        started = self.client.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": self.database},
            WorkGroup=self.workgroup, ExecutionParameters=parameters)
        query_id = started["QueryExecutionId"]
        self._wait(query_id)
        return self._results(query_id)

    def _wait(self, query_id: str) -> None:
        deadline = self.clock() + self.timeout_seconds
        delay = self.first_poll_seconds
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)
            state = status["QueryExecution"]["Status"]
            if state["State"] == "SUCCEEDED":
                return
            if state["State"] not in RUNNING_STATES:
                reason = state.get("StateChangeReason") or state["State"].lower()
                raise QueryFailedError(f"the credit history query {state['State'].lower()}: "
                                       f"{reason}")
            if self.clock() + delay > deadline:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise QueryTimeoutError(f"the credit history query did not finish within "
                                        f"{self.timeout_seconds:g} seconds")
            self.sleep(delay)
            delay = min(delay * 2, self.max_poll_seconds)

    def _results(self, query_id: str) -> list[dict[str, str | None]]:
        rows: list[dict[str, str | None]] = []
        token: str | None = None
        names: list[str] = []
        first = True
        while True:
            args: dict[str, Any] = {"QueryExecutionId": query_id}
            if token:
                args["NextToken"] = token
            page = self.client.get_query_results(**args)
            result = page["ResultSet"]
            if not names:
                names = [c["Name"] for c in result["ResultSetMetadata"]["ColumnInfo"]]
            data = result["Rows"]
            if first:
                data = data[1:]  # the first page starts with the header row
                first = False
            rows.extend({n: cell.get("VarCharValue") for n, cell in zip(names, r["Data"],
                                                                         strict=True)}
                        for r in data)
            token = page.get("NextToken")
            if not token:
                return rows


def _row(values: dict[str, str | None]) -> CreditReportRow:
    missing = [c for c in COLUMNS if values.get(c) is None]
    if missing:
        raise QueryFailedError(f"credit report without {', '.join(missing)}")
    v: dict[str, str] = {k: str(x) for k, x in values.items()}
    return CreditReportRow(v["national_id"], date.fromisoformat(v["report_date"]),
                           v["bureau"], int(v["score"]), int(v["open_accounts"]),
                           float(v["total_debt"]), int(v["delinquencies"]))
