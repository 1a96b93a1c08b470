"""Cognito's errors as answers to the user: one status and code per cause.

The same Cognito error can mean different things per action (``InvalidPasswordException``
is a weak password on sign-up, but cognito-local also raises it for a wrong password on
login), so each action may override the defaults. Login never tells whether a user exists.
"""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import BotoCoreError, ClientError

from actions.errors import ActionError, UpstreamError

Answer = tuple[int, str, str]
"""(HTTP status, machine code, message shown to the user)."""

DEFAULT_ANSWERS: Mapping[str, Answer] = {
    "UsernameExistsException": (400, "user-exists", "An account with this email already exists."),
    "AliasExistsException": (400, "user-exists", "An account with this email already exists."),
    "CodeMismatchException": (400, "invalid-code", "The code is not correct."),
    "ExpiredCodeException": (400, "expired-code", "The code has expired; ask for a new one."),
    "NotAuthorizedException": (401, "not-authorized", "Not authorized."),
    "UserNotConfirmedException": (
        403, "user-not-confirmed", "Confirm your email address before you sign in."),
    "InvalidPasswordException": (400, "weak-password", "The password does not meet the policy."),
    "PasswordResetRequiredException": (
        403, "password-reset-required", "Reset your password before you sign in."),
    "TooManyRequestsException": (429, "too-many-requests", "Too many requests; try later."),
    "TooManyFailedAttemptsException": (
        429, "too-many-failed-attempts", "Too many failed attempts; try later."),
    "LimitExceededException": (429, "limit-exceeded", "Attempt limit exceeded; try later."),
    "CodeDeliveryFailureException": (
        400, "code-delivery-failed", "The code could not be sent to this address."),
    "InvalidParameterException": (400, "invalid-input", "The request is not valid."),
    "UserNotFoundException": (404, "user-not-found", "No such user."),
}

INVALID_CREDENTIALS: Answer = (401, "invalid-credentials", "Incorrect email or password.")


def to_action_error(exc: Exception, overrides: Mapping[str, Answer] | None = None
                    ) -> ActionError:
    """The answer for a Cognito failure; anything unexpected is an upstream 5xx."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        answer = (overrides or {}).get(code) or DEFAULT_ANSWERS.get(code)
        if answer is not None:
            status, machine_code, message = answer
            return ActionError(message, code=machine_code, status=status)
        return UpstreamError(f"The sign-in service failed ({code or 'unknown error'}).")
    if isinstance(exc, BotoCoreError):
        return UpstreamError("The sign-in service is unreachable.")
    raise exc
