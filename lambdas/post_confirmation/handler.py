"""Lambda entry point for Cognito's PostConfirmation trigger."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostConfirmationTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.post_confirmation.users import save_user, user_row
from lambdas.shared.graphql import client_from_environment
from lambdas.shared.logging import get_logger

logger = get_logger("post_confirmation")
graphql = client_from_environment()
"""The engine client: settings read at import (a missing one fails the cold start, named),
the client built once per warm instance."""


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
