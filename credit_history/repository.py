"""Where the data comes from: one interface, an Athena and a DuckDB implementation.

Credit reports by national id, and the price archive (see :mod:`credit_history.price_archive`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from credit_history.price_archive import ArchivedPriceRow, ArchiveQuery


@dataclass(frozen=True)
class CreditReportRow:
    """One bureau report about one person."""

    national_id: str
    report_date: date
    bureau: str
    score: int
    open_accounts: int
    total_debt: float
    delinquencies: int


class CreditRepository(Protocol):
    """Reads credit reports by national id (blocking; the app runs it in a thread)."""

    queries: int
    """How many queries the repository ran (one per batch of ids)."""

    def reports(self, national_ids: Sequence[str]) -> list[CreditReportRow]:
        """Every report of the given (checked, distinct) ids, newest first per id."""
        ...

    def archived_prices(self, query: ArchiveQuery) -> list[ArchivedPriceRow]:
        """One symbol's archived prices over whole days, oldest first (at most a limit)."""
        ...
