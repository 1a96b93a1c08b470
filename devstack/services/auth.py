"""The auth part of the local stack, in the order ``devstack up`` needs it.

moto, the Lambda Invoke API, cognito-local, the pool and the action service.

Before the engine: moto (Secrets Manager, DynamoDB) and the resources in it, the Lambda
runtime, cognito-local and its pool (the engine's JWT settings name the pool, so it must
exist first; its ids persist in the state folder so a restart reuses them). After the
engine: the action service.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from devstack.services.actions import ActionsService
from devstack.services.auction_aws import auction_mappings, create_auction_resources
from devstack.services.cognito import CognitoService
from devstack.services.event_sources import EventSourcesService
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import MotoService, create_resources
from devstack.services.redis import RedisService
from devstack.settings import StackSettings
from devstack.stack import Service, Step

JWT_ENV = "HASURA_GRAPHQL_JWT_SECRET"


@dataclass
class AuthStack:
    """The auth entries, split around the engine."""

    before_engine: list[Service | Step] = field(default_factory=list)
    after_engine: list[Service | Step] = field(default_factory=list)


def auth_stack(settings: StackSettings, redis: RedisService) -> AuthStack:
    """Build the auth entries for ``settings``."""
    moto = MotoService(settings)
    runtime = LambdaRuntimeService(settings)
    event_sources = EventSourcesService(settings, settings.event_sources_port, runtime.url(),
                                        auction_mappings())
    cognito = CognitoService(settings, runtime.url(),
                             fixed_code=os.environ.get("COGNITO_LOCAL_FIXED_CODE") or None)
    explicit_jwt = bool(os.environ.get(JWT_ENV))

    def aws_resources() -> str:
        made = create_resources(moto.url(), settings.aws_region, settings.admin_secret)
        queues = create_auction_resources(moto.url(), settings.aws_region)
        event_sources.set_aws_environment(moto.aws_environment())
        runtime.set_environment({
            **moto.aws_environment(),
            "HASURA_GRAPHQL_ENDPOINT": f"http://127.0.0.1:{settings.engine_port}/v1/graphql",
            "HASURA_ADMIN_SECRET_ARN": made.admin_secret_arn,
            "USER_HASHES_TABLE": made.legacy_hashes_table,
            "LOADER_DLQ_URL": made.loader_dlq_url,
        })
        secret = made.admin_secret_arn.rsplit(":", 1)[-1]
        return (f"secret {secret}, table {made.legacy_hashes_table}, "
                f"auction queues {', '.join(sorted(queues))}")

    def pool() -> str:
        created = cognito.ensure_pool()
        if not explicit_jwt:
            # The engine reads its JWT settings from the environment when it starts next.
            os.environ[JWT_ENV] = json.dumps(created.engine_jwt_secret())
        return f"pool {created.pool_id}, client {created.client_id} (JWKS {created.jwks_url})"

    return AuthStack(
        before_engine=[moto, Step("aws-resources", aws_resources), runtime, cognito,
                       Step("cognito-pool", pool)],
        after_engine=[ActionsService(settings, cognito, redis), event_sources],
    )
