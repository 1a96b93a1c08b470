"""Which queues feed which functions, and how (the fields of an event source mapping)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CONFIG_ENV = "EVENT_SOURCES_CONFIG"
"""Environment variable naming the JSON file devstack writes for the poller process."""


@dataclass(frozen=True)
class EventSourceMapping:
    """One mapping, as ``aws_lambda_event_source_mapping`` declares it."""

    queue_name: str
    function_name: str
    batch_size: int = 10
    report_batch_item_failures: bool = True
    """``FunctionResponseTypes = ["ReportBatchItemFailures"]``: delete all but the failed."""
    wait_seconds: int = 1
    """Long-poll wait of each ReceiveMessage (Lambda's pollers long-poll too)."""


@dataclass(frozen=True)
class EventSourceConfig:
    """Every mapping, and where the Lambda Invoke API is."""

    lambda_endpoint: str
    mappings: tuple[EventSourceMapping, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape :meth:`from_dict` reads."""
        return {"lambda_endpoint": self.lambda_endpoint,
                "mappings": [asdict(m) for m in self.mappings]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> EventSourceConfig:
        """Parse (fails with a clear message on a malformed file)."""
        try:
            return cls(str(raw["lambda_endpoint"]),
                       tuple(EventSourceMapping(**m) for m in raw["mappings"]))
        except (KeyError, TypeError) as exc:
            raise SystemExit(f"event source config: {exc}") from None

    @classmethod
    def load(cls) -> EventSourceConfig:
        """Read the file named by ``EVENT_SOURCES_CONFIG``."""
        path = os.environ.get(CONFIG_ENV)
        if not path:
            raise SystemExit(f"setting {CONFIG_ENV} is required (path of the mappings' JSON)")
        return cls.from_dict(json.loads(Path(path).read_text()))
