"""Settings of Cognito's user migration trigger, read once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.config import Environ
from lambdas.legacy_loader.settings import DEFAULT_TABLE


@dataclass(frozen=True)
class MigrationSettings:
    """Where the legacy loader staged the users."""

    table: str = DEFAULT_TABLE
    """The staged-user table (``USER_HASHES_TABLE``), the one the loader writes."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> MigrationSettings:
        """Read ``USER_HASHES_TABLE`` (default: the loader's)."""
        return cls(table=Environ(env).text("USER_HASHES_TABLE", DEFAULT_TABLE))
