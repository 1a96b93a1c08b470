"""The action service (``actions.app:app``) in the local stack, on cognito-local and Redis."""

from __future__ import annotations

from devstack.services.cognito import CognitoService, UserPool
from devstack.services.http import HttpService, uvicorn_argv
from devstack.services.moto import LOCAL_CREDENTIALS
from devstack.services.redis import RedisService
from devstack.settings import StackSettings


def action_environment(settings: StackSettings, pool: UserPool, redis_url: str
                       ) -> dict[str, str]:
    """The service's environment for a local pool.

    Global sign-out is off: cognito-local lacks AdminUserGlobalSignOut, so logout revokes
    the refresh token only.
    """
    return {
        "ACTION_SHARED_SECRET": settings.action_shared_secret,
        "COGNITO_APP_CLIENT_ID": pool.client_id,
        "COGNITO_USER_POOL_ID": pool.pool_id,
        "COGNITO_ENDPOINT_URL": pool.endpoint,
        "COGNITO_REGION": settings.aws_region,
        "COGNITO_GLOBAL_SIGN_OUT": "false",
        "REDIS_URL": redis_url,
        # homeTimeline reads posts through the engine (as anonymous) and caches them in Redis.
        "HASURA_GRAPHQL_ENDPOINT": f"http://127.0.0.1:{settings.engine_port}/v1/graphql",
        "TIMELINE_CACHE": "redis",
        **auction_environment(settings),
    }


def auction_environment(settings: StackSettings) -> dict[str, str]:
    """What the auction code needs in the action and trigger services.

    The engine as admin (mirroring prices, scheduling closes) and moto (SQS, DynamoDB, IVS).
    """
    return {
        "HASURA_GRAPHQL_ENDPOINT": f"http://127.0.0.1:{settings.engine_port}/v1/graphql",
        "HASURA_GRAPHQL_ADMIN_SECRET": settings.admin_secret,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{settings.moto_port}",
        "AWS_REGION": settings.aws_region,
        "AWS_DEFAULT_REGION": settings.aws_region,
        **LOCAL_CREDENTIALS,
    }


class ActionsService(HttpService):
    """uvicorn serving the action service on ``ACTIONS_PORT``."""

    def __init__(self, settings: StackSettings, cognito: CognitoService,
                 redis: RedisService) -> None:
        super().__init__(
            settings, "actions", settings.actions_port,
            uvicorn_argv("actions.app:app", settings.actions_port),
            description="Hasura actions: sign-up, login, ... (actions/)",
        )
        self.cognito = cognito
        self.redis = redis

    def start(self) -> None:
        """Start once the pool exists (its ids go into the environment)."""
        pool = self.cognito.pool or self.cognito.ensure_pool()
        self.env.update(action_environment(self.settings, pool, self.redis.url()))
        super().start()
