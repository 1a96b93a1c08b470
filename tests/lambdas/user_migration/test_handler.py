from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import bcrypt
import boto3
import pytest
from botocore.config import Config

from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import LocalAwsResources, MotoService
from tests.lambdas.events import cognito_event

PASSWORD = "Legacy-Passw0rd"


@pytest.fixture
def staged_email(moto_server: MotoService, aws_local: LocalAwsResources) -> str:
    """A legacy user with a bcrypt hash staged in DynamoDB (moto)."""
    email = f"legacy-{uuid.uuid4().hex[:8]}@example.com"
    dynamodb = boto3.resource("dynamodb", **_moto(moto_server))
    dynamodb.Table(aws_local.legacy_hashes_table).put_item(Item={
        "email": email, "name": "Legacy Lou",
        "password_hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode(),
    })
    dynamodb.meta.client.close()
    return email


def _moto(moto: MotoService) -> dict[str, Any]:
    env = moto.aws_environment()
    return {"endpoint_url": env["AWS_ENDPOINT_URL"], "region_name": env["AWS_REGION"],
            "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _invoke(runtime: LambdaRuntimeService, event: dict[str, Any]) -> tuple[bool, Any]:
    client = boto3.client("lambda", endpoint_url=runtime.url(), region_name="us-east-1",
                          aws_access_key_id="l", aws_secret_access_key="l",
                          config=Config(retries={"total_max_attempts": 1}))
    with contextlib.closing(client):
        response = client.invoke(FunctionName="user_migration",
                                 Payload=json.dumps(event).encode())
        return "FunctionError" not in response, json.loads(response["Payload"].read())


def test_user_migration_confirms_a_legacy_user_with_the_right_password(
    lambda_runtime: LambdaRuntimeService, staged_email: str
) -> None:
    """GIVEN a staged bcrypt user WHEN Cognito asks to migrate at sign-in with the right.

    password THEN CONFIRMED, welcome message suppressed, email verified, name kept.
    """
    event = cognito_event("user_migration_authentication")
    event["userName"] = staged_email.upper()
    ok, result = _invoke(lambda_runtime, event)
    assert ok, result
    assert result["response"]["finalUserStatus"] == "CONFIRMED"
    assert result["response"]["messageAction"] == "SUPPRESS"
    assert result["response"]["userAttributes"] == {
        "email": staged_email, "email_verified": "true", "name": "Legacy Lou"}


def test_user_migration_refuses_a_wrong_password(
    lambda_runtime: LambdaRuntimeService, staged_email: str
) -> None:
    """GIVEN a staged user WHEN the password is wrong THEN the function fails (Cognito then.

    answers NotAuthorized) and neither password nor hash shows in the error.
    """
    event = cognito_event("user_migration_authentication")
    event["userName"] = staged_email
    event["request"]["password"] = "Wrong-Passw0rd"
    ok, result = _invoke(lambda_runtime, event)
    assert not ok
    assert result["errorType"] == "MigrationRefusedError"
    assert "Wrong-Passw0rd" not in json.dumps(result)
    assert "$2b$" not in json.dumps(result)


def test_user_migration_on_forgot_password_returns_attributes(
    lambda_runtime: LambdaRuntimeService, staged_email: str
) -> None:
    """GIVEN a staged user WHEN Cognito migrates on forgot-password THEN the attributes come.

    back (Cognito then sends the reset code).
    """
    event = cognito_event("user_migration_forgot_password")
    event["userName"] = staged_email
    ok, result = _invoke(lambda_runtime, event)
    assert ok, result
    assert result["response"]["userAttributes"]["email"] == staged_email
