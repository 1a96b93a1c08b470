"""post_confirmation's handler on its Cognito event, writing through a real engine."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest

from common.config import SettingsError
from devstack.hasura_project import metadata_dir
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.engine import EngineHandle
from tests.lambdas.events import cognito_event, context

MODULE = "lambdas.post_confirmation.handler"


def _cold_start() -> ModuleType:
    """Import the handler module afresh, as a new Lambda instance does."""
    sys.modules.pop(MODULE, None)
    return importlib.import_module(MODULE)


@pytest.fixture(scope="module")
def core_engine(start_engine: Callable[..., EngineHandle],
                create_database: Callable[[str], str]) -> EngineHandle:
    """The project's schema migrated (no seeds) and its metadata applied."""
    url = create_database("postconfirmation")
    Migrator(url, HASURA_DIR / "migrations").apply()
    handle = start_engine(url)
    response = handle.metadata({"type": "replace_metadata", "version": 2, "args": {
        "allow_inconsistent_metadata": True,
        "metadata": metadata_dir.read(HASURA_DIR).metadata}})
    assert response.status_code == 200, response.text
    return handle


@pytest.fixture
def handler_module(core_engine: EngineHandle,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    monkeypatch.delenv("HASURA_ADMIN_SECRET_ARN", raising=False)
    monkeypatch.setenv("HASURA_GRAPHQL_ENDPOINT", core_engine.base_url + "/v1/graphql")
    monkeypatch.setenv("HASURA_GRAPHQL_ADMIN_SECRET", str(core_engine.admin_secret))
    module = _cold_start()
    yield module
    module.graphql().close()
    sys.modules.pop(MODULE, None)


def test_post_confirmation_handler_writes_the_confirmed_user(
        handler_module: ModuleType, core_engine: EngineHandle) -> None:
    """GIVEN the PostConfirmation_ConfirmSignUp event WHEN handled twice (a retry).

    THEN the event is returned unchanged and one users row holds the sub, email and name.
    """
    event = cognito_event("post_confirmation")

    first = handler_module.handler(event, context("post_confirmation"))
    again = handler_module.handler(cognito_event("post_confirmation"), context("post_confirmation"))

    assert first == cognito_event("post_confirmation") == again
    rows = core_engine.graphql(
        'query { users(where: {email: {_eq: "ada@example.com"}}) { id email name } }')
    assert rows["data"]["users"] == [{"id": "5f3c2a1e-8d4b-4a7e-9c6f-1b2d3e4f5a6b",
                                      "email": "ada@example.com", "name": "Ada Lovelace"}]


def test_post_confirmation_handler_skips_a_confirmed_password_reset(
        handler_module: ModuleType, core_engine: EngineHandle) -> None:
    """GIVEN a PostConfirmation_ConfirmForgotPassword event WHEN handled THEN no row is written."""
    event = cognito_event("post_confirmation")
    event["triggerSource"] = "PostConfirmation_ConfirmForgotPassword"
    event["request"]["userAttributes"]["sub"] = "0c6f2d1e-0000-4000-8000-000000000001"
    event["request"]["userAttributes"]["email"] = "reset@example.com"

    assert handler_module.handler(event, context("post_confirmation")) == event

    rows = core_engine.graphql(
        'query { users(where: {email: {_eq: "reset@example.com"}}) { id } }')
    assert rows["data"]["users"] == []


def test_post_confirmation_cold_start_fails_naming_a_missing_setting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN no HASURA_GRAPHQL_ENDPOINT WHEN the module is imported (a cold start).

    THEN the import fails with an error naming the variable, before any event.
    """
    monkeypatch.delenv("HASURA_GRAPHQL_ENDPOINT", raising=False)
    monkeypatch.setenv("HASURA_GRAPHQL_ADMIN_SECRET", "s")
    try:
        with pytest.raises(SettingsError, match="HASURA_GRAPHQL_ENDPOINT"):
            _cold_start()
    finally:
        sys.modules.pop(MODULE, None)
