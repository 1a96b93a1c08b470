"""The engine's ``/v1/metadata`` API, called the way the Hasura CLI calls it.

Built on the one engine client (:mod:`common.engine_client`).
"""

from __future__ import annotations

from typing import Any

import httpx

from common.engine_client import METADATA_PATH, EngineClient, base_url
from devstack.errors import StackError

__all__ = ["MetadataApiError", "MetadataClient", "base_url", "describe_inconsistency"]


class MetadataApiError(StackError):
    """The engine refused a metadata call or could not be reached."""


class MetadataClient:
    """Metadata API calls with the admin secret, each on a short-lived :class:`EngineClient`."""

    def __init__(self, endpoint: str, admin_secret: str | None, timeout: float = 60.0) -> None:
        self.endpoint = endpoint
        self.admin_secret = admin_secret
        self.timeout = timeout

    @property
    def url(self) -> str:
        """The metadata API's URL."""
        return base_url(self.endpoint) + METADATA_PATH

    def call(self, body: dict[str, Any]) -> Any:
        """One metadata API call; its JSON answer."""
        try:
            with EngineClient(self.endpoint, self.admin_secret, self.timeout) as engine:
                response = engine.metadata(body)
        except httpx.HTTPError as exc:
            raise MetadataApiError(f"cannot reach the engine at {self.url}: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {"error": response.text[:500]}
        if response.is_error:
            raise MetadataApiError(
                f"{body.get('type')} failed ({response.status_code}): {_describe(answer)}"
            )
        return answer

    def replace_metadata(self, metadata: dict[str, Any], *, allow_inconsistent: bool = True
                         ) -> Any:
        """Replace all metadata, as ``hasura metadata apply`` does.

        Like the CLI (whose ``--disallow-inconsistent-metadata`` defaults to false), metadata
        with inconsistent objects (say a remote schema that is not up yet) is stored and the
        objects reported by ``inconsistencies()``; with ``allow_inconsistent=False`` the engine
        refuses it and nothing changes.
        """
        return self.call({
            "type": "replace_metadata",
            "version": 2,
            "args": {"allow_inconsistent_metadata": allow_inconsistent, "metadata": metadata},
        })

    def export_metadata(self) -> dict[str, Any]:
        """The engine's current metadata (v3 JSON)."""
        answer = self.call({"type": "export_metadata", "version": 1, "args": {}})
        if not isinstance(answer, dict):
            raise MetadataApiError(
                f"export_metadata answered {type(answer).__name__}, not an object"
            )
        return answer

    def inconsistencies(self) -> list[dict[str, Any]]:
        """What the engine reports as inconsistent right now."""
        answer = self.call({"type": "get_inconsistent_metadata", "args": {}})
        return list(answer.get("inconsistent_objects") or []) if isinstance(answer, dict) else []


def _describe(answer: Any) -> str:
    """The error text of an engine answer, with every inconsistent object on its own line."""
    if not isinstance(answer, dict):
        return str(answer)[:500]
    lines = [str(answer.get("error") or answer.get("message") or answer)]
    internal = answer.get("internal")
    if isinstance(internal, list):
        lines += [f"  - {describe_inconsistency(item)}" for item in internal]
    return "\n".join(lines)


def describe_inconsistency(item: Any) -> str:
    """One inconsistent object in a line: its type, name and reason."""
    if not isinstance(item, dict):
        return str(item)
    # Hasura's "name" already reads "<type> <name> in ..."; fall back to type + definition.
    name = item.get("name") or f"{item.get('type', 'object')} {item.get('definition')}"
    return f"{name}: {item.get('reason', '')}".strip()
