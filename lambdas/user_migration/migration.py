"""What the UserMigration trigger answers Cognito for a legacy user."""

from __future__ import annotations

from typing import Any

from lambdas.user_migration.legacy import LegacyUser, LegacyUserStore
from lambdas.user_migration.passwords import verify_password


class MigrationRefusedError(Exception):
    """Cognito must not create the user; it answers the sign-in with NotAuthorizedException.

    The message is the same for an unknown user and a wrong password, so the trigger never
    tells a caller which one it was.
    """

    def __init__(self) -> None:
        super().__init__("Bad username or password")


def user_attributes(user: LegacyUser) -> dict[str, str]:
    """The attributes Cognito creates the user with (email verified: the legacy system did)."""
    return {"email": user.email, "email_verified": "true", "name": user.name}


def migrate_on_sign_in(store: LegacyUserStore, username: str, password: str) -> dict[str, Any]:
    """The trigger's response for ``UserMigration_Authentication``."""
    user = store.find(username)
    if user is None or not verify_password(password, user.password_hash):
        raise MigrationRefusedError
    store.mark_migrated(user.email)
    return {
        "userAttributes": user_attributes(user),
        "finalUserStatus": "CONFIRMED",
        "messageAction": "SUPPRESS",
    }


def migrate_on_forgot_password(store: LegacyUserStore, username: str) -> dict[str, Any]:
    """The trigger's response for ``UserMigration_ForgotPassword``.

    Cognito then sends the reset code; the welcome message is suppressed. The staged hash
    is removed here too: the user now exists in Cognito and resets the password there.
    """
    user = store.find(username)
    if user is None:
        raise MigrationRefusedError
    store.mark_migrated(user.email)
    return {"userAttributes": user_attributes(user), "messageAction": "SUPPRESS"}
