"""The service as a Lambda behind API Gateway (HTTP API), reading Athena.

Settings come from the function's environment (``CREDIT_HISTORY_BACKEND=athena``,
``ATHENA_WORKGROUP``, ``ATHENA_DATABASE``); the app is built once per container.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum

from credit_history.app import create_app

_HANDLER = Mangum(create_app(), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway event in, HTTP response out."""
    return dict(_HANDLER(event, context))
