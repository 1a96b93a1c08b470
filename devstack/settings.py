"""Settings of the local stack, read once from the environment, then `.env`, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from devstack.paths import REPO_ROOT, state_dir


def dotenv(path: Path) -> dict[str, str]:
    """Parse a simple KEY=VALUE `.env` file (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


class _Source:
    """Environment first, then `.env` at the repository root, then the default."""

    def __init__(self) -> None:
        self.dotenv = dotenv(REPO_ROOT / ".env")

    def text(self, key: str, default: str) -> str:
        return os.environ.get(key) or self.dotenv.get(key) or default

    def optional(self, key: str) -> str | None:
        return os.environ.get(key) or self.dotenv.get(key) or None

    def integer(self, key: str, default: int) -> int:
        value = self.text(key, str(default))
        try:
            return int(value)
        except ValueError as exc:
            raise SystemExit(f"setting {key} must be an integer, got {value!r}") from exc


@dataclass(frozen=True)
class StackSettings:
    """Ports, secrets and locations of every local service."""

    state_dir: Path
    database_url: str | None
    pg_port: int
    redis_port: int
    engine_port: int
    actions_port: int
    triggers_port: int
    cognito_port: int
    moto_port: int
    lambda_port: int
    kafka_port: int
    admin_secret: str = field(repr=False)
    action_shared_secret: str = field(repr=False)
    event_trigger_url: str | None
    aws_region: str
    event_sources_port: int = 9002
    """The SQS → Lambda pollers' health and counters (EVENT_SOURCES_PORT)."""
    credit_history_port: int = 3002
    """The credit-history service (CREDIT_HISTORY_PORT)."""

    @classmethod
    def load(cls) -> StackSettings:
        """Read the settings (see `.env.example` for each variable)."""
        src = _Source()
        return cls(
            state_dir=state_dir(),
            database_url=src.optional("DATABASE_URL"),
            pg_port=src.integer("DEVSTACK_PG_PORT", 55432),
            redis_port=src.integer("DEVSTACK_REDIS_PORT", 56379),
            engine_port=src.integer("HASURA_GRAPHQL_SERVER_PORT", 8080),
            actions_port=src.integer("ACTIONS_PORT", 3000),
            triggers_port=src.integer("TRIGGERS_PORT", 3001),
            cognito_port=src.integer("COGNITO_PORT", 9229),
            moto_port=src.integer("MOTO_PORT", 5001),
            lambda_port=src.integer("LAMBDA_PORT", 9001),
            kafka_port=src.integer("DEVSTACK_KAFKA_PORT", 9092),
            admin_secret=src.text("HASURA_GRAPHQL_ADMIN_SECRET", "devstack-admin-secret"),
            action_shared_secret=src.text("ACTION_SHARED_SECRET", "devstack-action-secret"),
            event_trigger_url=src.optional("EVENT_TRIGGER_URL"),
            aws_region=src.text("AWS_REGION", "us-east-1"),
            event_sources_port=src.integer("EVENT_SOURCES_PORT", 9002),
            credit_history_port=src.integer("CREDIT_HISTORY_PORT", 3002),
        )

    @property
    def logs_dir(self) -> Path:
        """Where each service writes its log."""
        return self.state_dir / "logs"

    @property
    def pids_dir(self) -> Path:
        """Where each running service records its pid."""
        return self.state_dir / "pids"
