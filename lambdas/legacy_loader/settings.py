"""Settings of the legacy hash loader, read once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.config import Environ

DEFAULT_TABLE = "StandaloneUserHashes"


@dataclass(frozen=True)
class LoaderSettings:
    """Where staged users go, and where records that cannot be read go."""

    dead_letter_url: str
    """The dead-letter queue's URL (``LOADER_DLQ_URL``, required)."""
    table: str = DEFAULT_TABLE
    """The staged-user table (``USER_HASHES_TABLE``)."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> LoaderSettings:
        """Read ``LOADER_DLQ_URL`` and ``USER_HASHES_TABLE``.

        Raises:
            SettingsError: ``LOADER_DLQ_URL`` is unset.
        """
        read = Environ(env)
        return cls(dead_letter_url=read.required("LOADER_DLQ_URL", "the dead-letter queue's URL"),
                   table=read.text("USER_HASHES_TABLE", DEFAULT_TABLE))
