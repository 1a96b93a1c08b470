"""Prepare state as Hasura's own suite does, send every request, and record the outcomes."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import OctKey

from common.engine_client import AsyncEngineClient
from engine.conformance.cases import Case, Request, TestClass
from engine.conformance.compare import Outcome, compare, diff
from engine.conformance.fixtures import (
    ClassState,
    SetupError,
    apply,
    create_postgis,
    reset,
)
from engine.conformance.websocket import over_websocket, websocket_skip_reason


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


def session_token(key: str, headers: Mapping[str, str]) -> str:
    """An HS256 JWT carrying a request's ``X-Hasura-*`` headers as Hasura claims.

    This is how the original harness sends a role without the admin secret when the server
    is configured with a JWT secret.
    """
    claims: dict[str, Any] = {k.lower(): v for k, v in headers.items()
                              if k.lower().startswith("x-hasura-")}
    role = claims.pop("x-hasura-role", "user")
    claims.pop("x-hasura-use-backend-only-permissions", None)
    claims["x-hasura-allowed-roles"] = [role]
    claims["x-hasura-default-role"] = role
    now = int(time.time())
    payload = {"sub": "conformance", "iat": now, "exp": now + 3600,
               "https://hasura.io/jwt/claims": claims}
    return jwt.encode({"alg": "HS256"}, payload, OctKey.import_key(key.encode()))


def best_match(req: Request, body: Any) -> tuple[Any, Outcome]:
    """The expected body closest to ``body`` and the outcome against it.

    A case gives one ``response`` or a list of ``allowed_responses``; any of those matches.
    """
    candidates = list(req.allowed) if req.allowed else [req.response]
    best: tuple[Any, Outcome] | None = None
    rank = {Outcome.PASSED: 0, Outcome.MESSAGE_ONLY: 1, Outcome.FAILED: 2}
    for expected in candidates:
        outcome = compare(expected, body)
        if best is None or rank[outcome] < rank[best[1]]:
            best = (expected, outcome)
    assert best is not None
    return best


class Runner:
    """Runs classes of cases against ``base_url`` with the admin secret on every request.

    ``jwt_key`` is the HS256 key the engine verifies tokens with: cases the original suite
    runs without the admin secret send a token instead (skipped when there is no key).
    """

    def __init__(self, base_url: str, admin_secret: str | None, *, jwt_key: str | None = None,
                 timeout: float = 60.0, reset_between_classes: bool = True,
                 transports: tuple[str, ...] = ("http", "websocket")) -> None:
        self.engine = AsyncEngineClient(base_url, admin_secret, timeout)
        self.admin_headers = self.engine.admin_headers()
        self.base_url = base_url
        self.transports = transports
        """Transports to run (each class also runs only those it lists)."""
        self.jwt_key = jwt_key
        self.reset_between_classes = reset_between_classes
        self._classes_run = 0

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.engine.close()

    async def post(self, url: str, body: Any) -> tuple[int, Any]:
        """POST ``body`` to ``url`` as admin."""
        resp = await self.engine.post(url, body, self.admin_headers)
        try:
            return resp.status_code, resp.json()
        except ValueError:
            return resp.status_code, resp.text

    async def run_class(self, tc: TestClass, keep: Callable[[Case], bool]) -> list[CaseResult]:
        """Run every selected case of a class with its fixtures, on a reset database."""
        cases = [c for c in tc.cases if keep(c)]
        if not cases:
            return []
        runs = [(c, t) for c in cases for t in tc.transports if t in self.transports]
        if self.reset_between_classes:
            await reset(self.post)
        self._classes_run += 1
        state = ClassState(tc)
        if state.postgis:
            reason = await create_postgis(self.post)
            if reason:
                return [CaseResult(tc.name, c.test, c.file.name, Outcome.SKIPPED, reason,
                                   transport=t) for c, t in runs]
        class_setup, class_teardown = state.class_steps()
        try:
            await apply(self.post, class_setup)
        except SetupError as exc:
            await apply(self.post, class_teardown, required=False)
            return [CaseResult(tc.name, c.test, c.file.name, Outcome.FAILED,
                               f"class setup failed: {exc}", transport=t) for c, t in runs]
        results: list[CaseResult] = []
        try:
            for case, transport in runs:
                ws_skip = next(filter(None, map(websocket_skip_reason, case.requests)), None)
                if transport == "websocket" and ws_skip is not None:
                    results.append(CaseResult(tc.name, case.test, case.file.name,
                                              Outcome.SKIPPED, f"HTTP only: {ws_skip}",
                                              transport=transport))
                    continue
                results.append(await self.run_case(tc, case, state, transport))
        finally:
            await apply(self.post, class_teardown, required=False)
        return results

    async def run_case(self, tc: TestClass, case: Case, state: ClassState,
                       transport: str = "http") -> CaseResult:
        """Run one case (with its per-method fixtures) over ``transport``."""
        started = time.perf_counter()
        if self.jwt_key is None and any(r.without_admin_secret for r in case.requests):
            return CaseResult(tc.name, case.test, case.file.name, Outcome.SKIPPED,
                              "runs without the admin secret: no JWT key given to the runner",
                              transport=transport)
        setup, teardown = state.case_steps()
        try:
            await apply(self.post, setup)
            try:
                outcome, lines = await self._requests(case, transport)
            finally:
                await apply(self.post, teardown, required=False)
        except SetupError as exc:
            outcome, lines = Outcome.FAILED, [f"case setup failed: {exc}"]
        except httpx.HTTPError as exc:
            outcome, lines = Outcome.FAILED, [f"HTTP error: {exc!r}"]
        except (OSError, RuntimeError, TimeoutError) as exc:
            outcome, lines = Outcome.FAILED, [f"websocket error: {exc!r}"]
        reason = ""
        if outcome is Outcome.FAILED and any("xfail" in m for m in case.marks):
            outcome, reason = Outcome.SKIPPED, "marked xfail in the original suite"
        return CaseResult(tc.name, case.test, case.file.name, outcome, reason, lines,
                          time.perf_counter() - started, transport)

    def _headers(self, req: Request) -> dict[str, str]:
        if req.without_admin_secret and self.jwt_key is not None:
            token = session_token(self.jwt_key, req.headers)
            rest = {k: v for k, v in req.headers.items()
                    if not k.lower().startswith("x-hasura-")
                    or k.lower() == "x-hasura-use-backend-only-permissions"}
            return {**rest, "Authorization": f"Bearer {token}"}
        return {**self.admin_headers, **req.headers}

    async def _requests(self, case: Case, transport: str) -> tuple[Outcome, list[str]]:
        worst = Outcome.PASSED
        lines: list[str] = []
        for i, req in enumerate(case.requests):
            if transport == "websocket":
                status = 200
                # Relay cases go to the Relay socket, as Hasura's harness sends them.
                path = "/v1beta1/relay" if req.url.endswith("/relay") else "/v1/graphql"
                body = await over_websocket(self.base_url, self._headers(req), req.query,
                                            path=path)
            else:
                resp = await self.engine.post(req.url, req.query, self._headers(req))
                status = resp.status_code
                try:
                    body = resp.json()
                except ValueError:
                    body = resp.text
            expected, outcome = best_match(req, body)
            if status != req.status:
                outcome = Outcome.FAILED
                lines.append(f"request {i}: status {status}, expected {req.status}")
            if outcome is Outcome.FAILED:
                lines.extend(f"request {i}: {d}" for d in diff(expected, body))
                if not lines:
                    lines.append(f"request {i}: got {str(body)[:300]}")
                worst = Outcome.FAILED
            elif outcome is Outcome.MESSAGE_ONLY and worst is Outcome.PASSED:
                worst = Outcome.MESSAGE_ONLY
                lines.extend(f"request {i}: {d}" for d in diff(expected, body))
        return worst, lines
