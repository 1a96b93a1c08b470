"""The auction system on real local servers, started through the stack's own classes.

PostgreSQL (migrated + seeded from ``hasura/``), Redis, moto (queues with a 1 s visibility
timeout and 2 receives before the DLQ, so failures show in seconds), the engine with the
project's metadata and HS256 JWTs, the action service, the trigger service, the Lambda
Invoke API and the SQS → Lambda pollers. One stack per test session; each process is
stopped by its pid at the end.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from bench.auctions.stack import AuctionStackConfig, start_auction_processes
from devstack.hasura_project import seeds
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.auction_aws import QueueShape
from devstack.services.engine import EngineServer
from devstack.services.event_sources import EventSourcesService
from devstack.services.moto import MotoService, client
from devstack.settings import StackSettings
from tests.engine.auth.keys import JwtKeys

ADMIN_SECRET = "auctions-test-admin-secret"
SHARED_SECRET = "auctions-test-shared-secret"
ALICE = "4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11"
BOB = "8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22"
CAROL = "c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33"
"""The seeded users."""
ANTI_SNIPE_SECONDS = 2


@dataclass
class AuctionStack:
    """Handles on the running stack."""

    engine: EngineServer
    database_url: str
    redis_url: str
    moto_url: str
    region: str
    keys: JwtKeys
    triggers_url: str
    event_sources: EventSourcesService

    def token(self, user_id: str) -> str:
        """A signed ID token for ``user_id`` (role user)."""
        return self.keys.sign(self.keys.claims(user_id=user_id), alg="HS256")

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *,
                user: str | None = None) -> dict[str, Any]:
        """POST to the engine as ``user`` (a JWT) or as admin."""
        headers = ({"Authorization": f"Bearer {self.token(user)}"} if user
                   else {"X-Hasura-Admin-Secret": ADMIN_SECRET})
        answer = httpx.post(self.engine.graphql_url(), headers=headers, timeout=30,
                            json={"query": query, "variables": variables or {}})
        body: dict[str, Any] = answer.json()
        return body

    def aws(self, service: str) -> Any:
        """A boto3 client on moto."""
        return client(service, self.moto_url, self.region)

    def create_auction(self, seller: str, seconds: float, start_price: str = "10.00",
                       increment: str = "1.00") -> str:
        """An auction by ``seller`` ending in ``seconds`` (inserted as that user)."""
        end = time.time() + seconds
        answer = self.graphql(
            "mutation($a: auctions_insert_input!) { insert_auctions_one(object: $a) { id } }",
            {"a": {"title": f"lot {uuid.uuid4().hex[:6]}", "start_price": start_price,
                   "min_increment": increment,
                   "end_time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(end))
                   + f".{int(end % 1 * 1e6):06d}Z"}},
            user=seller,
        )
        assert "errors" not in answer, answer
        return str(answer["data"]["insert_auctions_one"]["id"])

    def bid(self, user: str, auction_id: str, amount: float,
            bid_id: str | None = None) -> dict[str, Any]:
        """``placeBid`` through the engine as ``user``."""
        answer = self.graphql(
            "mutation($a: uuid!, $m: Float!, $b: String!) { placeBid(auction_id: $a, "
            "amount: $m, bid_id: $b) { accepted reason current_price leader_id end_time "
            "sequence extended } }",
            {"a": auction_id, "m": amount, "b": bid_id or uuid.uuid4().hex}, user=user)
        assert "errors" not in answer, answer
        result: dict[str, Any] = answer["data"]["placeBid"]
        return result

    def auction(self, auction_id: str) -> dict[str, Any]:
        """The row as admin."""
        answer = self.graphql(
            "query($id: uuid!) { auctions_by_pk(id: $id) { id status current_price "
            "current_leader_id winner_id final_price end_time ivs_channel_arn "
            "ivs_playback_url close_event_id bid_count } }", {"id": auction_id})
        row: dict[str, Any] = answer["data"]["auctions_by_pk"]
        return row


def wait_until(check: Callable[[], Any], timeout: float = 60.0, every: float = 0.2) -> Any:
    """Poll ``check`` until it returns something truthy; fails with the last value."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(every)
        value = check()
    assert value, f"condition not met within {timeout}s (last: {value!r})"
    return value


@pytest.fixture
async def redis(redis_scratch_url: str) -> AsyncIterator[Redis]:
    """An empty scratch Redis database (emptied again after the test)."""
    client = Redis.from_url(redis_scratch_url)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.flushdb()
        await client.aclose()


@pytest.fixture(scope="session")
def auction_stack(
    state_root: Path, create_database: Callable[[str], str],
    redis_database: Callable[[], str],
    moto_server: MotoService, auth_settings: StackSettings, jwt_keys: JwtKeys,
) -> Iterator[AuctionStack]:
    """The whole auction path on local servers (see the module docstring)."""
    database = create_database("auctions")
    redis_url = redis_database()
    Migrator(database, HASURA_DIR / "migrations").apply()
    seeds.apply(database, seeds.seed_files(HASURA_DIR / "seeds"))
    state = state_root / "auctions"
    state.mkdir(parents=True, exist_ok=True)
    processes = start_auction_processes(AuctionStackConfig(
        settings=dataclasses.replace(auth_settings, state_dir=state),
        database_url=database, redis_url=redis_url,
        aws_environment=moto_server.aws_environment(), jwt_secret=jwt_keys.hs256_config(),
        admin_secret=ADMIN_SECRET, shared_secret=SHARED_SECRET,
        queue_shape=QueueShape(visibility_timeout=1, max_receive_count=2),
        extra_environment={"ANTI_SNIPE_SECONDS": str(ANTI_SNIPE_SECONDS)},
        engine_environment={"HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL": "100"},
    ))
    try:
        yield AuctionStack(processes.engine, database, redis_url, moto_server.url(),
                           auth_settings.aws_region, jwt_keys, processes.triggers_url,
                           processes.pollers)
    finally:
        processes.stop()
