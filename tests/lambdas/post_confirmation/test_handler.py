"""post_confirmation's handler on its Cognito event, writing through a real engine."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import pytest

from common.config import SettingsError
from devstack.services.engine import EngineHandle
from tests.lambdas.conftest import cold_start
from tests.lambdas.events import cognito_event, context

MODULE = "lambdas.post_confirmation.handler"


@pytest.fixture
def handler_module(graphql_handler: Callable[[str], ModuleType]) -> ModuleType:
    return graphql_handler(MODULE)


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
            cold_start(MODULE)
    finally:
        sys.modules.pop(MODULE, None)
