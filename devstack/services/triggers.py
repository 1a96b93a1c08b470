"""The trigger service (``triggers.app:app``) as a stack service.

It serves ``/echo`` (the default target of ``EVENT_TRIGGER_URL`` in the stack) and the
cron handler that invokes the Coinbase price Lambda through the local Lambda Invoke API.
"""

from __future__ import annotations

import os

from devstack.services.actions import auction_environment
from devstack.services.credit_history import BUCKET, DATA_PREFIX
from devstack.services.http import HttpService, uvicorn_argv
from devstack.services.moto import LOCAL_CREDENTIALS
from devstack.settings import StackSettings

TRIGGERS_SERVICE = "triggers"


def local_echo_url(settings: StackSettings) -> str:
    """The stack's echo endpoint, which the ``users`` event trigger posts to by default."""
    return f"http://127.0.0.1:{settings.triggers_port}/echo"


def triggers_environment(settings: StackSettings) -> dict[str, str]:
    """The service's environment.

    The shared secret, the local Lambda Invoke API, the timeline's cache (invalidated on new
    posts), the engine (the expiry sweep deletes as admin), and for the auction handlers
    moto and the stack's Redis (the bid book).
    """
    return {
        **auction_environment(settings),
        "ACTION_SHARED_SECRET": settings.action_shared_secret,
        "REDIS_URL": f"redis://127.0.0.1:{settings.redis_port}/0",
        "TIMELINE_CACHE": "redis",
        "HASURA_GRAPHQL_ENDPOINT": f"http://127.0.0.1:{settings.engine_port}/v1/graphql",
        "HASURA_GRAPHQL_ADMIN_SECRET": settings.admin_secret,
        "LAMBDA_ENDPOINT_URL": f"http://127.0.0.1:{settings.lambda_port}",
        # The daily price archive writes Parquet to moto's stand-in for the data bucket.
        "PRICE_ARCHIVE_BUCKET": BUCKET,
        "PRICE_ARCHIVE_DATA_PREFIX": DATA_PREFIX,
        "AWS_REGION": settings.aws_region,
        "AWS_DEFAULT_REGION": settings.aws_region,
        **LOCAL_CREDENTIALS,
    }


class TriggersService(HttpService):
    """``uvicorn triggers.app:app`` on the stack's triggers port."""

    def __init__(self, settings: StackSettings) -> None:
        super().__init__(
            settings, TRIGGERS_SERVICE, settings.triggers_port,
            uvicorn_argv("triggers.app:app", settings.triggers_port),
            description="event/cron trigger handlers (echo, Coinbase cron, auctions)",
            env=triggers_environment(settings),
        )

    def start(self) -> None:
        """Start the service; make its echo endpoint the engine's default event target.

        The engine reads ``EVENT_TRIGGER_URL`` from its environment (``webhook_from_env``)
        and inherits devstack's, so this service starts before the engine. A target the
        developer chose (environment or ``.env``) is kept.
        """
        target = self.settings.event_trigger_url or local_echo_url(self.settings)
        os.environ.setdefault("EVENT_TRIGGER_URL", target)
        super().start()
