"""Lambda entry point for Cognito's PostAuthentication trigger."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostAuthenticationTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.post_authentication.logins import login_row, record_login
from lambdas.shared.graphql import client_from_environment
from lambdas.shared.logging import get_logger

logger = get_logger("post_authentication")
graphql = client_from_environment()
"""The engine client: settings read at import (a missing one fails the cold start, named),
the client built once per warm instance."""


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Record the sign-in time. A failure here fails the sign-in, as Cognito does."""
    login = PostAuthenticationTriggerEvent(event)
    row = login_row(login.user_name, dict(login.request.user_attributes))
    saved = record_login(graphql(), row)
    logger.info("login recorded", extra={"user_id": saved["id"]})
    return event
