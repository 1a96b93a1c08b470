"""The one secret reader: Secrets Manager through Powertools' ``parameters``, cached.

Every service that keeps a secret in Secrets Manager on AWS (the admin secret, the shared
action secret, an API key) reads it here. Powertools caches each value for ``max_age``
seconds, so a warm Lambda or a running service asks Secrets Manager once per period, and a
rotated secret takes effect after at most that long.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any, Protocol

from common.config import Secret

MAX_AGE_SECONDS = 300
"""How long a secret read is reused (rotation takes effect after at most this)."""


@cache
def _provider(region: str | None, endpoint: str | None) -> Any:
    """One provider (and so one cache) per region and endpoint (a local stack's moto)."""
    import boto3  # only where a secret lives in Secrets Manager (AWS)
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    client = boto3.client("secretsmanager", region_name=region, endpoint_url=endpoint)
    return SecretsProvider(boto3_client=client)


def read_secret(arn: str, *, region: str | None = None, client: Any | None = None,
                max_age: int = MAX_AGE_SECONDS) -> Secret:
    """The secret ``arn`` names (the plain string, or the one value of a JSON object).

    ``{"HASURA_GRAPHQL_ADMIN_SECRET": "..."}`` also works. ``region`` defaults to the
    environment's (``AWS_REGION``); ``client`` is a Secrets Manager client to use instead.
    """
    if client is not None:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        provider = SecretsProvider(boto3_client=client)
    else:
        provider = _provider(region, os.environ.get("AWS_ENDPOINT_URL_SECRETS_MANAGER")
                             or os.environ.get("AWS_ENDPOINT_URL"))
    value = str(provider.get(arn, max_age=max_age))
    if value.startswith("{"):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return Secret(value)
        if isinstance(parsed, dict) and len(parsed) == 1:
            return Secret(str(next(iter(parsed.values()))))
    return Secret(value)


class _SecretText(Protocol):
    def get_secret_value(self) -> str: ...


def secret_value(direct: str | _SecretText | None, arn: str | None, *,
                 region: str | None = None) -> str | None:
    """``direct`` (a local run's plain setting), else the secret ``arn`` names, else None.

    ``direct`` may be pydantic's ``SecretStr`` (the pydantic-settings services' fields).
    """
    if direct is not None and not isinstance(direct, str):
        direct = direct.get_secret_value()
    if direct:
        return direct
    if not arn:
        return None
    return read_secret(arn, region=region).reveal()
