"""Settings of the functions that write through GraphQL, read once at cold start.

The admin secret comes from Secrets Manager when ``HASURA_ADMIN_SECRET_ARN`` is set (AWS),
else from ``HASURA_GRAPHQL_ADMIN_SECRET`` (local runs). A missing setting fails the cold
start with its name rather than the first request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3


class MissingSettingError(RuntimeError):
    """A required environment variable is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(f"setting {name} is required")


class Secret(str):
    """A string that never shows its value in ``repr`` (so never in logs or tracebacks)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('**********')"


def required(name: str, env: Mapping[str, str] | None = None) -> str:
    """The value of environment variable ``name``; fails with its name when unset or empty."""
    value = (os.environ if env is None else env).get(name, "")
    if not value:
        raise MissingSettingError(name)
    return value


def read_secret(arn: str, client: Any | None = None) -> Secret:
    """A secret's value from Secrets Manager.

    The plain string, or the one value of a JSON object
    (``{"HASURA_GRAPHQL_ADMIN_SECRET": "..."}`` also works).
    """
    secrets = client or boto3.client("secretsmanager")
    value: str = secrets.get_secret_value(SecretId=arn)["SecretString"]
    if value.startswith("{"):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return Secret(value)
        if isinstance(parsed, dict) and len(parsed) == 1:
            return Secret(str(next(iter(parsed.values()))))
    return Secret(value)


@dataclass(frozen=True)
class GraphQLSettings:
    """Where the GraphQL engine is and how to prove admin access to it."""

    endpoint: str
    admin_secret: Secret = field(repr=False)
    timeout: float = 10.0

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str] | None = None, secrets_client: Any | None = None
    ) -> GraphQLSettings:
        """Read ``HASURA_GRAPHQL_ENDPOINT`` and the admin secret (ARN first, then env)."""
        source = os.environ if env is None else env
        endpoint = required("HASURA_GRAPHQL_ENDPOINT", source)
        arn = source.get("HASURA_ADMIN_SECRET_ARN")
        if arn:
            secret = read_secret(arn, secrets_client)
        else:
            secret = Secret(required("HASURA_GRAPHQL_ADMIN_SECRET", source))
        timeout = float(source.get("HASURA_GRAPHQL_TIMEOUT", "10"))
        return cls(endpoint, secret, timeout)
