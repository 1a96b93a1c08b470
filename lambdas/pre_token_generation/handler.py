"""Lambda entry point for Cognito's PreTokenGeneration trigger (v1: ID token claims)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PreTokenGenerationTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.pre_token_generation.claims import hasura_claims
from lambdas.shared.logging import get_logger

logger = get_logger("pre_token_generation")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Add the Hasura claims to the ID token.

    The user id is ``sub``, or the username for a user migrated without one yet
    (cognito-local stores migrated users that way).
    """
    request = PreTokenGenerationTriggerEvent(event)
    attributes = request.request.user_attributes or {}
    user_id = attributes.get("sub") or request.user_name
    groups = request.request.group_configuration.groups_to_override or []
    event["response"] = {
        "claimsOverrideDetails": {"claimsToAddOrOverride": hasura_claims(user_id, groups)}
    }
    logger.info("claims added", extra={"user_id": user_id, "groups": len(groups)})
    return event
