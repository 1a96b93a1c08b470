"""Hasura's own request/response cases, run over HTTP against a real engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from devstack.ports import free_port
from devstack.services.engine import EngineServer
from engine.conformance.__main__ import run, summary_line
from engine.conformance.cases import load
from engine.conformance.compare import Outcome
from tests import reference

CASES = reference.path(*reference.CONFORMANCE_CASES)
# Query classes the engine must pass entirely (the fast subset; nothing there depends on
# routes outside /v1/graphql and /v1/query).
MUST_PASS = ("TestGraphQLQueryBasicPostgres", "TestGraphQLQueryFragmentsPostgresCitus",
             "TestGraphQLQueryAgg", "TestGraphQLQueryLimits", "TestGraphQLQueryOffsets",
             "TestGraphQLQueryBoolExpBasicPostgres", "TestGraphQLQueryOrderBy",
             "TestGraphqlInsertOnConflict")


@pytest.fixture(scope="module")
def conformance_engine(create_database: Callable[[str], str],
                       state_root: Any) -> Iterator[EngineServer]:
    """An engine as the original suite ran it: stringified numerics and an admin secret."""
    server = EngineServer(create_database("conformance"), free_port(),
                          admin_secret="conformance-secret", stringify_numeric_types=True,
                          state_dir=state_root / "conformance-engine")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@reference.needs(*reference.CONFORMANCE_CASES)
async def test_shared_conformance_cases_pass(conformance_engine: EngineServer) -> None:
    """GIVEN Hasura's recorded cases and an engine on a fresh database.

    WHEN the runner prepares state as the original suite does and sends every request
    THEN the query classes pass entirely and at least 90% of all cases pass.
    """
    classes = load(CASES)
    results = await run(classes, conformance_engine.url(), "conformance-secret", "", quiet=True)
    failed = [f"{r.cls}.{r.test}: {r.diff[:2]}" for r in results
              if r.outcome is Outcome.FAILED and r.cls in MUST_PASS]
    assert not failed, failed
    passed = sum(r.outcome is Outcome.PASSED for r in results)
    assert passed >= 0.9 * len(results), summary_line(results)
