"""The timeline's one client of the engine's GraphQL endpoint (async, one connection pool)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson


class EngineUnavailableError(RuntimeError):
    """The engine could not be reached or answered with errors (never the variables)."""


class EngineClient:
    """Posts GraphQL documents; as admin with ``admin_secret``, else as the anonymous role."""

    def __init__(self, endpoint: str, admin_secret: str | None = None,
                 timeout: float = 10.0) -> None:
        self.endpoint = endpoint
        headers = {"content-type": "application/json"}
        if admin_secret:
            headers["x-hasura-admin-secret"] = admin_secret
        self.http = httpx.AsyncClient(timeout=timeout, headers=headers)

    async def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` of the answer to ``document`` with ``variables``."""
        body = orjson.dumps({"query": document, "variables": variables})
        try:
            answer = await self.http.post(self.endpoint, content=body)
        except httpx.HTTPError as exc:
            raise EngineUnavailableError(f"engine unreachable: {type(exc).__name__}") from exc
        try:
            result = orjson.loads(answer.content)
        except orjson.JSONDecodeError:
            raise EngineUnavailableError(
                f"engine answered {answer.status_code}, not JSON") from None
        if not isinstance(result, dict) or result.get("errors") or "data" not in result:
            errors = result.get("errors") if isinstance(result, dict) else None
            messages = "; ".join(str(e.get("message")) for e in errors or [])
            raise EngineUnavailableError(
                f"engine answered errors: {messages or answer.status_code}")
        data: dict[str, Any] = result["data"]
        return data

    async def close(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()
