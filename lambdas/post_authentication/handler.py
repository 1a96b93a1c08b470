"""Lambda entry point for Cognito's PostAuthentication trigger."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostAuthenticationTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.post_authentication.logins import login_row, record_login
from lambdas.shared.graphql import GraphQLClient
from lambdas.shared.logging import get_logger
from lambdas.shared.settings import GraphQLSettings

logger = get_logger("post_authentication")
SETTINGS = GraphQLSettings.from_environment()
"""Read at import, so a missing setting fails the cold start with its name."""


@cache
def graphql() -> GraphQLClient:
    """The engine client, built once per warm instance from the settings read at import."""
    return GraphQLClient(SETTINGS)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Record the sign-in time. A failure here fails the sign-in, as Cognito does."""
    login = PostAuthenticationTriggerEvent(event)
    row = login_row(login.user_name, dict(login.request.user_attributes))
    saved = record_login(graphql(), row)
    logger.info("login recorded", extra={"user_id": saved["id"]})
    return event
