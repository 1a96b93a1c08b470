"""The engine's metadata as ``export_metadata`` answers it."""

from __future__ import annotations

from typing import Any

from devstack.services.engine import EngineHandle


def export(api: EngineHandle) -> dict[str, Any]:
    response = api.metadata({"type": "export_metadata", "args": {}})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def tables(api: EngineHandle) -> dict[str, dict[str, Any]]:
    return {t["table"]["name"]: t for t in export(api)["sources"][0]["tables"]}
