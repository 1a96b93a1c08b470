"""The SQS → Lambda pollers (``devstack.event_sources``) as a stack service."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from devstack.event_sources.config import CONFIG_ENV, EventSourceConfig, EventSourceMapping
from devstack.services.http import HttpService, python_module_argv
from devstack.settings import StackSettings


class EventSourcesService(HttpService):
    """Polls the queues of ``mappings`` and invokes their functions on the local runtime."""

    def __init__(self, settings: StackSettings, port: int, lambda_endpoint: str,
                 mappings: Sequence[EventSourceMapping],
                 aws_environment: Mapping[str, str] | None = None) -> None:
        self.config_path = settings.state_dir / "event_sources" / "mappings.json"
        super().__init__(
            settings, "event-sources", port,
            python_module_argv(
                "uvicorn", "devstack.event_sources.app:app_from_environment", "--factory",
                "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
            ),
            description="SQS → Lambda event source mappings (batch, partial failures, DLQ)",
            env={CONFIG_ENV: str(self.config_path), **(aws_environment or {})},
        )
        self.config = EventSourceConfig(lambda_endpoint, tuple(mappings))

    def set_aws_environment(self, environment: Mapping[str, str]) -> None:
        """Point the pollers at moto (call before :meth:`start`)."""
        self.env.update(environment)

    def start(self) -> None:
        """Write the mappings, then start the pollers."""
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(self.config.to_dict(), indent=2))
        super().start()
