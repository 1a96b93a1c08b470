"""Servers shared by the whole suite, started through the same code as the local stack.

Each test session gets its own state folder and free ports, so it never touches a running
`devstack up` and several sessions can run side by side. Every process started here is
stopped by its pid when the session ends.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from devstack.ports import free_port
from devstack.services.engine import EngineHandle, EngineServer
from devstack.services.kafka import KafkaBroker
from devstack.services.postgres import PostgresServer
from devstack.services.redis import RedisServer
from tests.engine.auth.keys import JwtKeys

# The project's engine and its remote schema: defined once here for the whole suite (a fixture
# imported into a test module would be a second session instance on the same state folder).
from tests.hasura.project import credit_history, hasura

__all__ = ["credit_history", "hasura"]

REDIS_DATABASES = 16
"""Redis's default number of databases."""


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close event loops nobody closed, before the last garbage collection finds them.

    pytest-asyncio 1.5 wraps sync fixtures in ``asyncio.get_event_loop()``, which on Python
    3.11 makes a loop when none is set and never closes it; a later ``asyncio.run`` in a sync
    test lets it go. Collected at exit, such a loop and its self-pipe raise ResourceWarnings
    that ``filterwarnings = error`` turns into a crash after every test has passed. Only idle
    loops are closed: a running one is still somebody's.
    """
    del session
    for thing in gc.get_objects():
        if issubclass(type(thing), asyncio.AbstractEventLoop) and not thing.is_closed() \
                and not thing.is_running():
            thing.close()

# Auth stack fixtures: moto_server, lambda_runtime, cognito_local, user_pool, action_service.
pytest_plugins = ["tests.auth.fixtures"]


@pytest.fixture(scope="session")
def state_root() -> Iterator[Path]:
    """A state folder for this test session (readable by the unprivileged postgres user)."""
    with tempfile.TemporaryDirectory(prefix="devstack-test-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        yield root


@pytest.fixture(scope="session")
def pg_server(state_root: Path) -> Iterator[PostgresServer]:
    """A PostgreSQL 15 server for the session (fsync off: tests do not need durability)."""
    server = PostgresServer(state_root / "postgres", free_port())
    server.start(state_root / "logs" / "postgres.log", state_root / "pids" / "postgres.pid",
                 fsync=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def create_database(pg_server: PostgresServer) -> Callable[[str], str]:
    """A factory: a new empty database named after ``prefix``; returns its URL."""

    def create(prefix: str = "test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_server.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return pg_server.url(name)

    return create


@pytest.fixture
def database_url(create_database: Callable[[str], str], request: pytest.FixtureRequest) -> str:
    """A fresh empty database for one test."""
    return create_database(request.node.name[:20].lower().replace("[", "_").replace("-", "_"))


@pytest.fixture(scope="session")
def redis_server(state_root: Path) -> Iterator[RedisServer]:
    """A Redis server for the session."""
    server = RedisServer(state_root / "redis", free_port())
    server.start(state_root / "logs" / "redis.log", state_root / "pids" / "redis.pid")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_database(redis_server: RedisServer) -> Callable[[], str]:
    """Hands out a URL on a Redis database that nothing else in this session uses.

    Two services on one database share their keys: two action services would both run the
    auction outbox forwarder and take each other's bids. Database 0 stays for the tests that
    only touch server-wide state (ACL users).
    """
    numbers = iter(range(1, REDIS_DATABASES))

    def allocate() -> str:
        number = next(numbers, None)
        if number is None:
            raise RuntimeError(f"all {REDIS_DATABASES} Redis databases of the session are taken")
        return redis_server.url(number)

    return allocate


@pytest.fixture(scope="session")
def redis_scratch_url(redis_database: Callable[[], str]) -> str:
    """One database for the tests that flush it before use (no service runs on it)."""
    return redis_database()


@pytest.fixture(scope="session")
def kafka_broker(state_root: Path) -> Iterator[KafkaBroker]:
    """A Kafka-protocol broker (Tansu, memory only) for the session."""
    broker = KafkaBroker(state_root / "kafka", free_port())
    broker.start(state_root / "logs" / "kafka.log", state_root / "pids" / "kafka.pid")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(autouse=True, scope="session")
def _no_ambient_stack_settings() -> None:
    """Tests must not pick up a developer's DATABASE_URL or .env by accident."""
    os.environ.pop("DATABASE_URL", None)


ENGINE_ADMIN_SECRET = "test-admin-secret"


@pytest.fixture(scope="session")
def start_engine(
    state_root: Path, pg_server: PostgresServer
) -> Iterator[Callable[..., EngineHandle]]:
    """A factory: ``start_engine(database_url, **options)`` starts an engine, returns its handle.

    ``options`` are :class:`devstack.services.engine.EngineServer`'s (admin secret defaults
    to ``ENGINE_ADMIN_SECRET``). Every engine started is stopped, by pid, after the session,
    before ``pg_server`` (which it depends on for that order): all at once, since each stop
    is mostly waiting for a process to finish its shutdown (one after the other, a full run's
    engines took about 20 s).
    """
    started: list[EngineHandle] = []

    def start(database_url: str, **options: object) -> EngineHandle:
        options.setdefault("admin_secret", ENGINE_ADMIN_SECRET)
        server = EngineServer(database_url, free_port(), state_dir=state_root,
                              name=f"engine-{len(started) + 1}", **options)  # type: ignore[arg-type]
        server.start()
        handle = EngineHandle(server)
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.close()
    stop_together([handle.server for handle in started])


def stop_together(servers: Sequence[EngineServer]) -> None:
    """Stop every server (each by its pid) at the same time; returns when all are stopped."""
    if servers:
        with ThreadPoolExecutor(max_workers=len(servers), thread_name_prefix="stop") as pool:
            for stopped in [pool.submit(server.stop) for server in servers]:
                stopped.result()


@pytest.fixture(scope="session")
def engine(start_engine: Callable[..., EngineHandle],
           create_database: Callable[[str], str]) -> EngineHandle:
    """An engine on a fresh database, admin secret ``ENGINE_ADMIN_SECRET`` (shared: clean up)."""
    return start_engine(create_database("engine"))


@pytest.fixture(scope="session")
def jwt_keys() -> JwtKeys:
    """An RSA key pair (with JWKS) and an HMAC secret to sign test tokens with."""
    return JwtKeys()
