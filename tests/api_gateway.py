"""API Gateway HTTP API (payload 2.0) events, as the action and trigger Lambdas receive them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_TEMPLATE = Path(__file__).parent / "events" / "apigateway" / "http_api_v2_post.json"


def http_api_post(path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    """A POST of ``body`` (JSON-encoded) to ``path`` with ``headers``."""
    event: dict[str, Any] = json.loads(_TEMPLATE.read_text())
    event["rawPath"] = path
    event["requestContext"]["http"]["path"] = path
    event["headers"] = headers
    event["body"] = json.dumps(body)
    return event
