"""post_authentication's handler on its Cognito event, writing through a real engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType

from devstack.services.engine import EngineHandle
from tests.lambdas.events import cognito_event, context

USER = "5f3c2a1e-8d4b-4a7e-9c6f-1b2d3e4f5a6b"


def test_post_authentication_handler_records_the_sign_in(
        graphql_handler: Callable[[str], ModuleType], core_engine: EngineHandle) -> None:
    """GIVEN the PostAuthentication event of a user WHEN handled twice, a moment apart.

    THEN the event is returned unchanged, the user's row exists (a migrated user may have
    none yet) and ``last_login_at`` is the second sign-in's time.
    """
    module = graphql_handler("lambdas.post_authentication.handler")
    before = datetime.now(UTC)

    first = module.handler(cognito_event("post_authentication"), context("post_authentication"))
    seen = _last_login(core_engine)
    module.handler(cognito_event("post_authentication"), context("post_authentication"))

    assert first == cognito_event("post_authentication")
    latest = _last_login(core_engine)
    assert before <= seen <= latest


def _last_login(engine: EngineHandle) -> datetime:
    rows = engine.graphql(f'query {{ users_by_pk(id: "{USER}") {{ email last_login_at }} }}')
    user = rows["data"]["users_by_pk"]
    assert user["email"] == "ada@example.com"
    return datetime.fromisoformat(user["last_login_at"])
