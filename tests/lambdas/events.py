"""Loading the Cognito trigger payloads kept in ``tests/events/cognito``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from aws_lambda_powertools.utilities.typing import LambdaContext

from devstack.lambda_runtime.worker import LocalContext

EVENTS_DIR = Path(__file__).resolve().parent.parent / "events" / "cognito"


def cognito_event(name: str) -> dict[str, Any]:
    """A fresh copy of ``tests/events/cognito/<name>.json``."""
    event: dict[str, Any] = json.loads((EVENTS_DIR / f"{name}.json").read_text())
    return event


def context(function_name: str) -> LambdaContext:
    """A Lambda context like the local runtime gives."""
    return cast(LambdaContext, LocalContext(function_name, 3000))
