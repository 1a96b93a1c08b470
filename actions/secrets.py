"""The shared secret that proves a call comes from the engine."""

from __future__ import annotations

import boto3

from actions.settings import ActionSettings


def shared_secret(settings: ActionSettings) -> str:
    """``ACTION_SHARED_SECRET``, or the value of ``ACTION_SHARED_SECRET_ARN`` (AWS)."""
    if settings.action_shared_secret is not None:
        return settings.action_shared_secret.get_secret_value()
    client = boto3.client("secretsmanager", region_name=settings.cognito_region)
    value: str = client.get_secret_value(SecretId=settings.action_shared_secret_arn)[
        "SecretString"]
    return value
