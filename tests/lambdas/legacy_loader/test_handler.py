"""legacy_loader's handler on its MSK event, staging into moto's DynamoDB."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

from common.config import SettingsError
from devstack.services.moto import MotoService
from tests.lambdas.conftest import cold_start
from tests.lambdas.events import context
from tests.lambdas.legacy_loader.conftest import Aws, msk_event

MODULE = "lambdas.legacy_loader.handler"


@pytest.fixture
def loader(moto_server: MotoService, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Callable[[dict[str, str]], ModuleType]]:
    """Imports the handler cold with moto's AWS environment and the given settings."""
    for key, value in moto_server.aws_environment().items():
        monkeypatch.setenv(key, value)

    def start(settings: dict[str, str]) -> ModuleType:
        for key, value in settings.items():
            monkeypatch.setenv(key, value)
        return cold_start(MODULE)

    yield start
    sys.modules.pop(MODULE, None)


def test_legacy_loader_handler_stages_the_batch(
        aws: Aws, loader: Callable[[dict[str, str]], ModuleType]) -> None:
    """GIVEN the MSK event (two users, one record not JSON) WHEN the handler runs on it.

    THEN it answers the counts, the users are staged in USER_HASHES_TABLE and the bad record
    is in LOADER_DLQ_URL's queue.
    """
    module = loader({"USER_HASHES_TABLE": aws.table, "LOADER_DLQ_URL": aws.queue})

    answer = module.handler(msk_event(), context("legacy_loader"))

    assert answer == {"staged": 2, "unchanged": 0, "malformed": 1}
    assert aws.item("ada@example.com")["scheme"] == {"S": "bcrypt"}
    assert len(aws.dead_letters()) == 1


def test_legacy_loader_cold_start_fails_without_its_dead_letter_queue(
        loader: Callable[[dict[str, str]], ModuleType], monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN no LOADER_DLQ_URL WHEN the module is imported THEN the error names it."""
    monkeypatch.delenv("LOADER_DLQ_URL", raising=False)
    with pytest.raises(SettingsError, match="LOADER_DLQ_URL"):
        loader({})
