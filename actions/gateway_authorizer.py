"""API Gateway's Lambda authorizer for the action and trigger APIs.

Hasura can only prove who it is with a header (``X-Action-Secret``): it cannot sign
requests for IAM. Checking that header in the service itself still lets anyone on the
internet start the service's Lambda with a forged request. This REQUEST authorizer checks
it before the route runs; API Gateway caches the verdict per header value
(``authorizer_result_ttl_in_seconds``), so it costs one small invocation per value per
cache period, not one per call, and a forged header never reaches the service.

Payload format 2.0 with simple responses: ``{"isAuthorized": bool}``.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Any

import boto3

SECRET_HEADER = "x-action-secret"  # noqa: S105 - a header name, not a secret
SECRET_TTL_SECONDS = 300.0
"""How long the secret read from Secrets Manager is reused (rotation takes effect after)."""

_cached: dict[str, Any] = {"value": None, "at": 0.0}


def shared_secret(now: float | None = None) -> str:
    """``ACTION_SHARED_SECRET``, or the value of ``ACTION_SHARED_SECRET_ARN`` (cached)."""
    direct = os.environ.get("ACTION_SHARED_SECRET")
    if direct:
        return direct
    now = time.monotonic() if now is None else now
    if _cached["value"] is None or now - float(_cached["at"]) > SECRET_TTL_SECONDS:
        client = boto3.client("secretsmanager")
        _cached["value"] = client.get_secret_value(
            SecretId=os.environ["ACTION_SHARED_SECRET_ARN"])["SecretString"]
        _cached["at"] = now
    return str(_cached["value"])


def handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    """Authorise the request when it carries the shared secret (compared in constant time)."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    given = headers.get(SECRET_HEADER, "").encode()
    authorized = bool(given) and hmac.compare_digest(given, shared_secret().encode())
    return {"isAuthorized": authorized}
