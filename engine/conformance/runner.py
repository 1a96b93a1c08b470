"""Prepare state as Hasura's own suite does, send every request, and record the outcomes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from engine.conformance.cases import Case, TestClass, load_yaml
from engine.conformance.compare import Outcome, compare, diff
from engine.conformance.websocket import over_websocket, websocket_skip_reason

_GEOMETRY = re.compile(r"geometry|geography|_st_|raster", re.IGNORECASE)


@dataclass
class CaseResult:
    """The outcome of one case."""

    cls: str
    test: str
    file: str
    outcome: Outcome
    reason: str = ""
    diff: list[str] = field(default_factory=list)
    seconds: float = 0.0
    transport: str = "http"


class SetupError(Exception):
    """A fixture file was rejected by the engine."""


class Runner:
    """Runs classes of cases against ``base_url`` with the admin secret on every request."""

    def __init__(self, base_url: str, admin_secret: str | None, *, timeout: float = 60.0,
                 echo: Callable[[str], None] = print,
                 transports: tuple[str, ...] = ("http", "websocket")) -> None:
        headers = {"X-Hasura-Admin-Secret": admin_secret} if admin_secret else {}
        self.admin_headers = headers
        self.base_url = base_url
        self.transports = transports
        """Transports to run (each class also runs only those it lists)."""
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.echo = echo
        self._postgis: bool | None = None

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()

    async def v1_query(self, body: Any) -> tuple[int, Any]:
        """POST ``body`` to /v1/query as admin."""
        resp = await self.client.post("/v1/query", json=body, headers=self.admin_headers)
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, resp.text

    async def apply(self, path: Path, *, required: bool = True) -> None:
        """Send a fixture file (setup/teardown) if it exists."""
        body = load_yaml(path)
        if body is None:
            return
        status, answer = await self.v1_query(body)
        if status != 200 and required:
            raise SetupError(f"{path.name}: HTTP {status}: {str(answer)[:400]}")

    async def postgis_available(self) -> bool:
        """Whether the database can create the PostGIS extension."""
        if self._postgis is None:
            status, answer = await self.v1_query({"type": "run_sql", "args": {
                "sql": "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'"}})
            rows = answer.get("result") if isinstance(answer, dict) else None
            self._postgis = bool(status == 200 and rows and len(rows) > 1
                                 and str(rows[1][0]) != "0")
        return self._postgis

    async def run_class(self, tc: TestClass, keep: Callable[[Case], bool]) -> list[CaseResult]:
        """Run every selected case of a class with its fixtures."""
        cases = [c for c in tc.cases if keep(c)]
        if not cases:
            return []
        results: list[CaseResult] = []
        skip_reason = ""
        if "postgis" in tc.fixtures:
            if await self.postgis_available():
                await self.v1_query({"type": "run_sql", "args": {
                    "sql": "CREATE EXTENSION IF NOT EXISTS postgis"}})
            else:
                skip_reason = "PostGIS is not available in this database"
        per_class = "per_class_tests_db_state" in tc.fixtures
        schema = "per_class_db_schema_for_mutation_tests" in tc.fixtures
        per_method = "per_method_db_data_for_mutation_tests" in tc.fixtures
        setup = tc.dir / ("setup.yaml" if per_class else "schema_setup.yaml")
        teardown = tc.dir / ("teardown.yaml" if per_class else "schema_teardown.yaml")
        try:
            if per_class or schema:
                try:
                    await self.apply(setup)
                except SetupError:
                    # Leftovers of an interrupted run: tear down once and retry.
                    await self.apply(teardown, required=False)
                    await self.apply(setup)
        except SetupError as exc:
            outcome = Outcome.SKIPPED if skip_reason else Outcome.FAILED
            reason = skip_reason or f"class setup failed: {exc}"
            return [CaseResult(tc.name, c.test, c.file.name, outcome, reason, transport=t)
                    for c in cases for t in tc.transports if t in self.transports]
        try:
            for case, transport in [(c, t) for c in cases for t in tc.transports
                                    if t in self.transports]:
                if any("without admin secret" in r.description for r in case.requests):
                    results.append(CaseResult(
                        tc.name, case.test, case.file.name, Outcome.SKIPPED,
                        "runs without the admin secret in the original suite",
                        transport=transport))
                    continue
                if skip_reason and _GEOMETRY.search(case.file.read_text(encoding="utf-8")):
                    results.append(CaseResult(tc.name, case.test, case.file.name,
                                              Outcome.SKIPPED, skip_reason,
                                              transport=transport))
                    continue
                ws_skip = next(filter(None, map(websocket_skip_reason, case.requests)), None)
                if transport == "websocket" and ws_skip is not None:
                    results.append(CaseResult(tc.name, case.test, case.file.name,
                                              Outcome.SKIPPED, f"HTTP only: {ws_skip}",
                                              transport=transport))
                    continue
                results.append(await self.run_case(tc, case, per_method, transport))
        finally:
            if per_class or schema:
                await self.apply(teardown, required=False)
        return results

    async def run_case(self, tc: TestClass, case: Case, per_method: bool,
                       transport: str = "http") -> CaseResult:
        """Run one case (with its per-method data fixtures) over ``transport``."""
        started = time.perf_counter()
        try:
            if per_method:
                await self.apply(tc.dir / "values_setup.yaml")
            try:
                outcome, lines = await self._requests(case, transport)
            finally:
                if per_method:
                    await self.apply(tc.dir / "values_teardown.yaml", required=False)
        except SetupError as exc:
            outcome, lines = Outcome.FAILED, [f"data setup failed: {exc}"]
        except httpx.HTTPError as exc:
            outcome, lines = Outcome.FAILED, [f"HTTP error: {exc!r}"]
        except (OSError, RuntimeError, TimeoutError) as exc:
            outcome, lines = Outcome.FAILED, [f"websocket error: {exc!r}"]
        reason = ""
        if outcome is Outcome.FAILED and any("xfail" in m for m in case.marks):
            outcome, reason = Outcome.SKIPPED, "marked xfail in the original suite"
        return CaseResult(tc.name, case.test, case.file.name, outcome, reason, lines,
                          time.perf_counter() - started, transport)

    async def _requests(self, case: Case, transport: str) -> tuple[Outcome, list[str]]:
        worst = Outcome.PASSED
        lines: list[str] = []
        for i, req in enumerate(case.requests):
            headers = {**self.admin_headers, **req.headers}
            if transport == "websocket":
                status = 200
                body = await over_websocket(self.base_url, headers, req.query)
            else:
                resp = await self.client.post(req.url, json=req.query, headers=headers)
                status = resp.status_code
                try:
                    body = resp.json()
                except ValueError:
                    body = resp.text
            outcome = compare(req.response, body)
            if status != req.status:
                outcome = Outcome.FAILED
                lines.append(f"request {i}: status {status}, expected {req.status}")
            if outcome is Outcome.FAILED:
                lines.extend(f"request {i}: {d}" for d in diff(req.response, body))
                if not lines:
                    lines.append(f"request {i}: got {str(body)[:300]}")
                worst = Outcome.FAILED
            elif outcome is Outcome.MESSAGE_ONLY and worst is Outcome.PASSED:
                worst = Outcome.MESSAGE_ONLY
                lines.extend(f"request {i}: {d}" for d in diff(req.response, body))
        return worst, lines
