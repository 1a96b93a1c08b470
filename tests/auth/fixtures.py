"""Session fixtures for the auth stack, started through the same classes as ``devstack up``.

moto, the Lambda Invoke API, cognito-local and the action service.

Ports are allocated up front so services can name each other before they start (the
Lambdas need the engine's URL, cognito-local the runtime's, the engine the pool's).
Every process is stopped by its pid at the end of the session.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devstack.ports import free_port
from devstack.services.actions import action_environment
from devstack.services.cognito import CognitoService, UserPool
from devstack.services.http import HttpService, uvicorn_argv
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import LocalAwsResources, MotoService, create_resources
from devstack.settings import StackSettings

TEST_CONFIRMATION_CODE = "424242"
"""cognito-local's fixed code for every confirmation and reset in the tests."""


@pytest.fixture(scope="session")
def auth_settings(state_root: Path) -> StackSettings:
    """Stack settings for the session's auth services: own state folder, free ports."""
    base = StackSettings.load()
    state = state_root / "auth"
    state.mkdir(parents=True, exist_ok=True)
    return dataclasses.replace(
        base, state_dir=state, moto_port=free_port(), lambda_port=free_port(),
        cognito_port=free_port(), actions_port=free_port(), engine_port=free_port(),
        admin_secret="test-admin-secret", action_shared_secret="test-action-secret",
    )


@pytest.fixture(scope="session")
def moto_server(auth_settings: StackSettings) -> Iterator[MotoService]:
    """moto_server (Secrets Manager, DynamoDB, ...) for the session."""
    service = MotoService(auth_settings)
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def aws_local(moto_server: MotoService, auth_settings: StackSettings) -> LocalAwsResources:
    """The admin secret and the legacy-hash table, created in moto."""
    return create_resources(moto_server.url(), auth_settings.aws_region,
                            auth_settings.admin_secret)


@pytest.fixture(scope="session")
def lambda_runtime(
    auth_settings: StackSettings, moto_server: MotoService, aws_local: LocalAwsResources
) -> Iterator[LambdaRuntimeService]:
    """The Invoke API running the real handlers; they reach GraphQL at the auth engine's.

    port and read the admin secret from Secrets Manager (moto).
    """
    service = LambdaRuntimeService(auth_settings, common_environment={
        **moto_server.aws_environment(),
        "HASURA_GRAPHQL_ENDPOINT": f"http://127.0.0.1:{auth_settings.engine_port}/v1/graphql",
        "HASURA_ADMIN_SECRET_ARN": aws_local.admin_secret_arn,
        "USER_HASHES_TABLE": aws_local.legacy_hashes_table,
        "LOADER_DLQ_URL": aws_local.loader_dlq_url,
    })
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def cognito_local(
    auth_settings: StackSettings, lambda_runtime: LambdaRuntimeService
) -> Iterator[CognitoService]:
    """cognito-local with every trigger wired to the runtime and a fixed code."""
    service = CognitoService(auth_settings, lambda_runtime.url(),
                             fixed_code=TEST_CONFIRMATION_CODE)
    service.start()
    try:
        service.ensure_pool()
        yield service
    finally:
        service.server.stop()


@pytest.fixture(scope="session")
def user_pool(cognito_local: CognitoService) -> UserPool:
    """The session's pool and app client."""
    assert cognito_local.pool is not None
    return cognito_local.pool


@pytest.fixture(scope="session")
def action_service(
    auth_settings: StackSettings, cognito_local: CognitoService, user_pool: UserPool,
    redis_database: Callable[[], str],
) -> Iterator[HttpService]:
    """The action service (``actions.app:app``) on cognito-local and the session's Redis."""
    service = HttpService(
        auth_settings, "actions", auth_settings.actions_port,
        uvicorn_argv("actions.app:app", auth_settings.actions_port),
        description="action service",
        env=action_environment(auth_settings, user_pool, redis_database()),
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()

