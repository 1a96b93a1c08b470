"""What Cognito does around a trigger that cognito-local leaves out.

Cognito marks the email verified when a sign-up is confirmed with the code sent to it (the
email is the pool's auto-verified attribute), so the next ID token says
``email_verified: true``. cognito-local confirms the user but leaves the attribute as it was.
The runtime sees the PostConfirmation trigger go by, so after the real handler succeeded it
sets the attribute on cognito-local, as Cognito would have. Nothing here runs on AWS.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import httpx

ENDPOINT_ENV = "LOCAL_COGNITO_ENDPOINT"
"""cognito-local's URL, given to the runtime process (never to the functions)."""
CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
_TARGET = "AWSCognitoIdentityProviderService.AdminUpdateUserAttributes"

logger = logging.getLogger("devstack.lambda_runtime")


def needs_email_verified(event: Any) -> bool:
    """Whether ``event`` confirms a sign-up whose email is not yet marked verified."""
    if not isinstance(event, dict) or event.get("triggerSource") != CONFIRM_SIGN_UP:
        return False
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    return bool(attributes.get("email")) and attributes.get("email_verified") != "true"


async def after_invocation(event: Any, endpoint: str | None = None) -> None:
    """Mark the confirmed user's email verified on cognito-local (no-op for other events)."""
    endpoint = endpoint or os.environ.get(ENDPOINT_ENV)
    if not endpoint or not needs_email_verified(event):
        return
    email = event["request"]["userAttributes"]["email"]
    # cognito-local refuses email_verified without the email it verifies.
    body = {"UserPoolId": event["userPoolId"], "Username": event["userName"],
            "UserAttributes": [{"Name": "email", "Value": email},
                               {"Name": "email_verified", "Value": "true"}]}
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(endpoint, json=body, headers={
            "X-Amz-Target": _TARGET, "Content-Type": "application/x-amz-json-1.1"})
    if response.status_code != 200:
        logger.warning("could not mark %s's email verified on cognito-local: %s %s",
                       event["userName"], response.status_code, response.text[:200])
