"""The loader's settings, read at cold start: the dead-letter queue is required."""

from __future__ import annotations

import pytest

from common.config import SettingsError
from lambdas.legacy_loader.settings import DEFAULT_TABLE, LoaderSettings


def test_loader_settings_require_the_dead_letter_queue() -> None:
    """GIVEN no LOADER_DLQ_URL WHEN read THEN an error naming it; set THEN the default table."""
    with pytest.raises(SettingsError, match="LOADER_DLQ_URL"):
        LoaderSettings.from_environment({"USER_HASHES_TABLE": "t"})
    settings = LoaderSettings.from_environment({"LOADER_DLQ_URL": "http://q"})
    assert (settings.dead_letter_url, settings.table) == ("http://q", DEFAULT_TABLE)
