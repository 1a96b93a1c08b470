"""Settings of the functions that write through GraphQL, read once at cold start.

The admin secret comes from Secrets Manager when ``HASURA_ADMIN_SECRET_ARN`` is set (AWS),
else from ``HASURA_GRAPHQL_ADMIN_SECRET`` (local runs). A missing setting fails the cold
start with its name rather than the first request: each handler reads its settings at
import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from common.config import Environ, Secret
from common.secrets import read_secret


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
        read = Environ(env)
        endpoint = read.required("HASURA_GRAPHQL_ENDPOINT")
        arn = read.optional("HASURA_ADMIN_SECRET_ARN")
        if arn:
            secret = read_secret(arn, client=secrets_client)
        else:
            secret = Secret(read.required("HASURA_GRAPHQL_ADMIN_SECRET"))
        return cls(endpoint, secret, read.number("HASURA_GRAPHQL_TIMEOUT", 10.0, minimum=0))
