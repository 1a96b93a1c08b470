"""Checks before measuring: answers, equivalence, and each server's SQL from the log.

Every query must answer without errors, both servers must return the same data, and the SQL
each server runs per request is captured from PostgreSQL's statement log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from bench.chinook.capture import LogCursor, parse_statements
from bench.chinook.database import set_statement_logging
from bench.load.sqlrunner import Statement
from devstack.services.postgres import PostgresServer


def post(url: str, body: str, headers: Mapping[str, str]) -> httpx.Response:
    """One GraphQL POST."""
    return httpx.post(url, content=body, timeout=60.0,
                      headers={"Content-Type": "application/json", **headers})


def leaves(value: Any) -> list[str]:
    """Every scalar of a JSON value, as JSON text, in document order (keys ignored)."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [json.dumps(value, ensure_ascii=False)]


def check_response(response: httpx.Response) -> dict[str, Any]:
    """Status, sizes and errors of one answer."""
    payload = response.json()
    return {
        "status": response.status_code,
        "content_encoding": response.headers.get("content-encoding"),
        "body_bytes": len(response.content),
        "errors": payload.get("errors"),
        "leaf_count": len(leaves(payload.get("data"))),
    }


def compare(engine_data: Any, postgraphile_data: Any) -> dict[str, Any]:
    """Whether both servers returned the same scalars (as multisets: key names differ)."""
    ours, theirs = sorted(leaves(engine_data)), sorted(leaves(postgraphile_data))
    return {"same_leaf_count": len(ours) == len(theirs), "same_values": ours == theirs,
            "engine_leaves": len(ours), "postgraphile_leaves": len(theirs)}


def capture_sql(server: PostgresServer, log_path: Path, url: str, body: str,
                headers: Mapping[str, str]) -> list[Statement]:
    """The statements one (warm) request runs; statement logging must be on."""
    for _ in range(2):  # warm: plan caches, driver type introspection, prepared statements
        post(url, body, headers)
    time.sleep(0.2)
    cursor = LogCursor(log_path)
    post(url, body, headers)
    time.sleep(0.3)  # the server log is written by the backend after it answers
    return parse_statements(cursor.read_new())


class StatementLogging:
    """Statement logging switched on for a ``with`` block only."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server

    def __enter__(self) -> StatementLogging:
        set_statement_logging(self.server, True)
        time.sleep(0.5)  # backends apply a reloaded configuration at their next command
        return self

    def __exit__(self, *exc: object) -> None:
        set_statement_logging(self.server, False)
        time.sleep(0.5)
