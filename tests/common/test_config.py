"""Settings: pydantic-settings services fail at start-up naming each wrong setting."""

from __future__ import annotations

import pytest
from pydantic_settings import BaseSettings

from common.config import load_settings


class _Settings(BaseSettings):
    redis_url: str
    pool_size: int = 10


def test_load_settings_exits_naming_each_wrong_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN REDIS_URL unset and POOL_SIZE not a number WHEN loaded THEN the exit names both."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("POOL_SIZE", "many")
    with pytest.raises(SystemExit, match=r"svc: invalid or missing settings: .*REDIS_URL.*"
                                         r"POOL_SIZE"):
        load_settings(_Settings, "svc")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1")
    monkeypatch.setenv("POOL_SIZE", "3")
    assert load_settings(_Settings, "svc").pool_size == 3
