from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import boto3
import httpx
import pytest
from botocore.config import Config

from devstack.ports import free_port
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import LocalAwsResources, MotoService
from devstack.settings import StackSettings
from tests.lambdas.events import cognito_event


@pytest.fixture(scope="module")
def lambda_client(lambda_runtime: LambdaRuntimeService) -> Iterator[object]:
    client = boto3.client(
        "lambda", endpoint_url=lambda_runtime.url(), region_name="us-east-1",
        aws_access_key_id="local", aws_secret_access_key="local",
        config=Config(retries={"total_max_attempts": 1}),
    )
    yield client
    client.close()


def test_lambda_runtime_invokes_the_real_handler_through_boto3(lambda_client: object) -> None:
    """Lambda runtime invokes the real handler through boto3.

    GIVEN the runtime WHEN boto3 invokes pre_token_generation THEN the handler's result. comes back
    as the payload with status 200 and no function error.
    """
    response = lambda_client.invoke(  # type: ignore[attr-defined]
        FunctionName="pre_token_generation",
        Payload=json.dumps(cognito_event("pre_token_generation")).encode(),
    )
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert "https://hasura.io/jwt/claims" in result["response"]["claimsOverrideDetails"][
        "claimsToAddOrOverride"]


def test_lambda_runtime_reports_a_handler_exception_as_lambda_does(lambda_client: object) -> None:
    """Lambda runtime reports a handler exception as lambda does.

    GIVEN a migration event for a user who is not staged WHEN invoked THEN status 200,.
    FunctionError Unhandled and an {errorMessage, errorType, stackTrace} payload.
    """
    event = cognito_event("user_migration_authentication")
    event["userName"] = "not-staged@example.com"
    response = lambda_client.invoke(  # type: ignore[attr-defined]
        FunctionName="user_migration", Payload=json.dumps(event).encode())
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    payload = json.loads(response["Payload"].read())
    assert payload["errorType"] == "MigrationRefusedError"
    assert payload["errorMessage"] == "Bad username or password"
    assert isinstance(payload["stackTrace"], list)
    assert "Legacy-Passw0rd" not in json.dumps(payload)


def test_lambda_runtime_answers_404_for_an_unknown_function(lambda_client: object) -> None:
    """GIVEN no function by that name WHEN invoked THEN ResourceNotFoundException (404)."""
    errors = lambda_client.exceptions  # type: ignore[attr-defined]
    with pytest.raises(errors.ResourceNotFoundException):
        lambda_client.invoke(FunctionName="no_such_function",  # type: ignore[attr-defined]
                             Payload=b"{}")


def test_lambda_runtime_accepts_event_invocations(lambda_runtime: LambdaRuntimeService) -> None:
    """GIVEN InvocationType Event WHEN invoked THEN 202 at once, as Lambda answers."""
    response = httpx.post(
        f"{lambda_runtime.url()}/2015-03-31/functions/pre_token_generation/invocations",
        json=cognito_event("pre_token_generation"),
        headers={"X-Amz-Invocation-Type": "Event"}, timeout=10,
    )
    assert response.status_code == 202


def test_lambda_runtime_gives_each_function_its_own_environment(
    auth_settings: StackSettings, moto_server: MotoService, aws_local: LocalAwsResources
) -> None:
    """Lambda runtime gives each function its own environment.

    GIVEN a runtime where only user_migration points at a table that does not exist WHEN both
    functions are invoked THEN user_migration fails on that table and pre_token_generation, with the
    common environment, still works.
    """
    settings = dataclasses.replace(auth_settings, lambda_port=free_port(),
                                   state_dir=auth_settings.state_dir / "runtime-env")
    runtime = LambdaRuntimeService(
        settings, common_environment=moto_server.aws_environment(),
        function_environment={"user_migration": {"USER_HASHES_TABLE": "NoSuchTable"}})
    runtime.start()
    try:
        client = boto3.client("lambda", endpoint_url=runtime.url(), region_name="us-east-1",
                              aws_access_key_id="l", aws_secret_access_key="l",
                              config=Config(retries={"total_max_attempts": 1}))
        failed = client.invoke(FunctionName="user_migration", Payload=json.dumps(
            cognito_event("user_migration_authentication")).encode())
        assert failed["FunctionError"] == "Unhandled"
        assert json.loads(failed["Payload"].read())["errorType"] == "ResourceNotFoundException"
        fine = client.invoke(FunctionName="pre_token_generation", Payload=json.dumps(
            cognito_event("pre_token_generation")).encode())
        assert "FunctionError" not in fine
        client.close()
    finally:
        runtime.stop()
