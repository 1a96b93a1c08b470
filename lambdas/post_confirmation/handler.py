"""Lambda entry point for Cognito's PostConfirmation trigger."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostConfirmationTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.post_confirmation.users import save_user, user_row
from lambdas.shared.graphql import GraphQLClient
from lambdas.shared.logging import get_logger
from lambdas.shared.settings import GraphQLSettings

logger = get_logger("post_confirmation")
SETTINGS = GraphQLSettings.from_environment()
"""Read at import, so a missing setting fails the cold start with its name."""


@cache
def graphql() -> GraphQLClient:
    """The engine client, built once per warm instance from the settings read at import."""
    return GraphQLClient(SETTINGS)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Write the confirmed user; a confirmed password reset needs nothing, so it is skipped."""
    confirmation = PostConfirmationTriggerEvent(event)
    if confirmation.trigger_source != "PostConfirmation_ConfirmSignUp":
        logger.info("nothing to do", extra={"trigger_source": confirmation.trigger_source})
        return event
    row = user_row(confirmation.user_name, confirmation.request.user_attributes)
    user_id = save_user(graphql(), row)
    logger.info("user saved", extra={"user_id": user_id})
    return event
