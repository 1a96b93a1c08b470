"""The engine's ``/v1/metadata`` API, called the way the Hasura CLI calls it."""

from __future__ import annotations

from typing import Any

import httpx

from devstack.errors import StackError


class MetadataApiError(StackError):
    """The engine refused a metadata call or could not be reached."""


def base_url(endpoint: str) -> str:
    """The engine's base URL from an endpoint that may end in ``/v1/graphql``.

    The Hasura CLI takes the bare base URL; Lambdas get the GraphQL URL. Both are accepted.
    """
    endpoint = endpoint.rstrip("/")
    for suffix in ("/v1/graphql", "/v1/metadata"):
        if endpoint.endswith(suffix):
            return endpoint[: -len(suffix)]
    return endpoint


class MetadataClient:
    """POSTs metadata API calls with the admin secret."""

    def __init__(self, endpoint: str, admin_secret: str | None, timeout: float = 60.0) -> None:
        self.url = base_url(endpoint) + "/v1/metadata"
        self.headers = {"X-Hasura-Admin-Secret": admin_secret} if admin_secret else {}
        self.timeout = timeout

    def call(self, body: dict[str, Any]) -> Any:
        """One metadata API call; its JSON answer."""
        try:
            response = httpx.post(self.url, json=body, headers=self.headers, timeout=self.timeout)
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

    def replace_metadata(self, metadata: dict[str, Any]) -> Any:
        """Replace all metadata; inconsistencies make the engine refuse it, as with the CLI."""
        return self.call({
            "type": "replace_metadata",
            "version": 2,
            "args": {"allow_inconsistent_metadata": False, "metadata": metadata},
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
