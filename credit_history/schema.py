"""The GraphQL schema (strawberry): one person's history, or many in one call; the price archive.

Field names stay snake_case (as the rest of the API). Within one request every
``credit_history`` field goes through one loader, so a query with 100 aliased fields (the
engine's batched remote join) costs one repository query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.dataloader import DataLoader
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from credit_history.errors import CreditHistoryError
from credit_history.price_archive import ArchiveQuery
from credit_history.queries import check_national_ids
from credit_history.repository import CreditReportRow, CreditRepository
from credit_history.validation import SkipVariableRulesWithoutVariables


@strawberry.type(description="One credit bureau report")
class CreditReport:
    """One bureau report."""

    report_date: date
    bureau: str
    score: int
    open_accounts: int
    total_debt: float
    delinquencies: int


@strawberry.type(description="A person's credit history, newest report first")
class CreditHistory:
    """A person's reports."""

    national_id: str
    reports: list[CreditReport]

    @strawberry.field(description="The score of the newest report (null without reports)")
    def latest_score(self) -> int | None:
        """The newest report's score."""
        return self.reports[0].score if self.reports else None


def _history(national_id: str, rows: Sequence[CreditReportRow]) -> CreditHistory:
    return CreditHistory(national_id=national_id, reports=[CreditReport(
        report_date=r.report_date, bureau=r.bureau, score=r.score, open_accounts=r.open_accounts,
        total_debt=r.total_debt, delinquencies=r.delinquencies) for r in rows])


async def load_histories(repository: CreditRepository,
                         national_ids: Sequence[str]) -> list[CreditHistory]:
    """The histories of ``national_ids`` (in that order), with one repository call."""
    try:
        distinct = check_national_ids(national_ids)
        rows = await asyncio.to_thread(repository.reports, distinct)
    except CreditHistoryError as exc:
        raise GraphQLError(exc.message, extensions={"code": exc.code}) from None
    by_id: dict[str, list[CreditReportRow]] = {}
    for row in rows:
        by_id.setdefault(row.national_id, []).append(row)
    return [_history(n, by_id.get(n, [])) for n in national_ids]


def _loader(info: Info[Any, Any]) -> DataLoader[str, CreditHistory]:
    context = info.context
    loader: DataLoader[str, CreditHistory] | None = context.get("loader")
    if loader is None:
        repository = context["repository"]

        async def load(keys: list[str]) -> list[CreditHistory]:
            return await load_histories(repository, keys)

        loader = context["loader"] = DataLoader(load_fn=load, max_batch_size=500)
    return loader


@strawberry.type(description="One archived minute price of the price archive")
class ArchivedPrice:
    """One archived price."""

    asset_symbol: str
    quote_currency: str
    price: str = strawberry.field(description="The exact decimal, as text")
    minute: datetime
    day: date


async def load_archived_prices(repository: CreditRepository, query: ArchiveQuery
                               ) -> list[ArchivedPrice]:
    """The archive's rows for ``query`` (one repository call)."""
    try:
        rows = await asyncio.to_thread(repository.archived_prices, query)
    except CreditHistoryError as exc:
        raise GraphQLError(exc.message, extensions={"code": exc.code}) from None
    return [ArchivedPrice(asset_symbol=r.asset_symbol, quote_currency=r.quote_currency,
                          price=r.price, minute=r.minute, day=r.day) for r in rows]


@strawberry.type
class Query:
    """The service's root fields."""

    @strawberry.field(description="The credit history of one national id")
    async def credit_history(self, info: Info[Any, Any], national_id: str) -> CreditHistory:
        """One history (batched with every other one of the request)."""
        return await _loader(info).load(national_id)

    @strawberry.field(description="The credit histories of many national ids, in that order")
    async def credit_reports(self, info: Info[Any, Any],
                             national_ids: list[str]) -> list[CreditHistory]:
        """Many histories."""
        return list(await _loader(info).load_many(national_ids))

    @strawberry.field(description="Archived minute prices of one symbol over whole days "
                                  "(crypto_prices moved to the price archive), oldest first")
    async def archived_prices(self, info: Info[Any, Any], asset_symbol: str, from_day: date,
                              to_day: date, limit: int = 1000) -> list[ArchivedPrice]:
        """One symbol's archived prices."""
        try:
            query = ArchiveQuery.checked(asset_symbol, from_day, to_day, limit)
        except CreditHistoryError as exc:
            raise GraphQLError(exc.message, extensions={"code": exc.code}) from None
        return await load_archived_prices(info.context["repository"], query)


schema = strawberry.Schema(query=Query, config=StrawberryConfig(auto_camel_case=False),
                           extensions=[SkipVariableRulesWithoutVariables])
"""The service's schema."""
