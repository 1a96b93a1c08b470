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

from typing import Any

from common.shared_secret import proves_secret, shared_secret


def handler(event: dict[str, Any], context: Any) -> dict[str, bool]:
    """Authorise the request when it carries the shared secret (compared in constant time)."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    return {"isAuthorized": proves_secret(headers, shared_secret().reveal())}
