"""What the local stack runs, in start order.

Each entry is a service (a server with a URL and a health check) or a step (work done once
the services before it are up). The same classes start servers for the tests.
"""

from __future__ import annotations

from devstack.hasura_project import steps as hasura_steps
from devstack.services.auth import auth_stack
from devstack.services.credit_history import CreditHistoryService
from devstack.services.engine import EngineService
from devstack.services.legacy import legacy_stack
from devstack.services.postgres import PostgresService
from devstack.services.redis import RedisService
from devstack.services.triggers import TriggersService
from devstack.settings import StackSettings
from devstack.stack import Service, Step


def build(settings: StackSettings) -> list[Service | Step]:
    """The stack for ``settings``, in start order."""
    postgres = PostgresService(settings)
    redis = RedisService(settings)
    # Migrations after postgres, metadata + seeds after the engine (see hasura_steps.place).
    engine = EngineService(settings, postgres)
    # Triggers before the engine: the engine inherits its default EVENT_TRIGGER_URL (/echo).
    triggers = TriggersService(settings)
    # moto, Lambda runtime, cognito-local + pool before the engine (its JWT names the pool).
    auth = auth_stack(settings, redis)
    # The legacy pipe (seed 002) last: its mapping needs moto and the Lambda runtime.
    legacy = legacy_stack(settings, postgres)
    # The credit-history remote schema before the engine (introspected at metadata apply),
    # after moto (its data is uploaded to S3 there too).
    credit = CreditHistoryService(settings)
    return hasura_steps.place(settings, postgres, [postgres, redis, *auth.before_engine, triggers,
                                                   credit, engine, *auth.after_engine, *legacy])


def ports(settings: StackSettings) -> dict[str, int]:
    """Each local service's port (none for PostgreSQL when DATABASE_URL points elsewhere)."""
    found = {"postgres": settings.pg_port, "redis": settings.redis_port,
             "moto": settings.moto_port, "lambda-runtime": settings.lambda_port,
             "cognito-local": settings.cognito_port, "triggers": settings.triggers_port,
             "engine": settings.engine_port, "actions": settings.actions_port,
             "kafka": settings.kafka_port, "credit-history": settings.credit_history_port}
    if settings.database_url:
        del found["postgres"]
    return found


def service_names(settings: StackSettings) -> list[str]:
    """Names of the stack's services in start order."""
    return [entry.name for entry in build(settings) if not isinstance(entry, Step)]
