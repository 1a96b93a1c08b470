"""Lambda entry point for Cognito's UserMigration trigger."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    UserMigrationTriggerEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from lambdas.shared.logging import get_logger
from lambdas.user_migration.legacy import LegacyUserStore
from lambdas.user_migration.migration import (
    MigrationRefusedError,
    migrate_on_forgot_password,
    migrate_on_sign_in,
)
from lambdas.user_migration.settings import MigrationSettings

logger = get_logger("user_migration")
SETTINGS = MigrationSettings.from_environment()
"""Read at import, so a malformed setting fails the cold start with its name."""


@cache
def store() -> LegacyUserStore:
    """The staged-user table, opened once per warm instance."""
    return LegacyUserStore(boto3.resource("dynamodb").Table(SETTINGS.table))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answer Cognito with the legacy user's attributes, or raise to refuse the sign-in.

    The password is only ever passed to the verifier: it and the hash are never logged.
    """
    migration = UserMigrationTriggerEvent(event)
    source = migration.trigger_source
    try:
        if source == "UserMigration_Authentication":
            response = migrate_on_sign_in(store(), migration.user_name,
                                          migration.request.password)
        elif source == "UserMigration_ForgotPassword":
            response = migrate_on_forgot_password(store(), migration.user_name)
        else:
            raise MigrationRefusedError
    except MigrationRefusedError:
        logger.info("migration refused", extra={"trigger_source": source})
        raise
    event["response"] = {**(event.get("response") or {}), **response}
    logger.info("user migrated", extra={"trigger_source": source})
    return event
