from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

import bcrypt
import boto3
from botocore.config import Config

from devstack.services.engine import EngineHandle
from devstack.services.lambda_runtime import LambdaRuntimeService
from devstack.services.moto import LocalAwsResources, MotoService
from tests.auth.conftest import Client
from tests.auth.flows import LOGIN, USERS
from tests.lambdas.events import cognito_event


def _invoke(runtime: LambdaRuntimeService, name: str, event: dict[str, Any]) -> Any:
    client = boto3.client("lambda", endpoint_url=runtime.url(), region_name="us-east-1",
                          aws_access_key_id="l", aws_secret_access_key="l",
                          config=Config(retries={"total_max_attempts": 1}))
    with contextlib.closing(client):
        response = client.invoke(FunctionName=name, Payload=json.dumps(event).encode())
        assert "FunctionError" not in response, response["Payload"].read()
        return json.loads(response["Payload"].read())


def test_retried_post_confirmation_leaves_one_row(
    auth_engine: EngineHandle, lambda_runtime: LambdaRuntimeService
) -> None:
    """Retried post confirmation leaves one row.

    GIVEN a post-confirmation event WHEN Cognito delivers it twice (a retry), the second time with a
    changed name THEN ``users`` holds one row for the sub, with the later name.
    """
    sub = str(uuid.uuid4())
    event = cognito_event("post_confirmation")
    event["userName"] = sub
    event["request"]["userAttributes"].update(
        sub=sub, email=f"retry-{sub[:8]}@example.com", name="First")
    _invoke(lambda_runtime, "post_confirmation", event)
    event["request"]["userAttributes"]["name"] = "Second"
    _invoke(lambda_runtime, "post_confirmation", event)
    rows = auth_engine.graphql(
        "query($id: String!) { users(where: {id: {_eq: $id}}) { id name } }", {"id": sub})
    assert rows == {"data": {"users": [{"id": sub, "name": "Second"}]}}


def test_legacy_user_logs_in_through_the_migration_trigger(
    client: Client, moto_server: MotoService, aws_local: LocalAwsResources,
) -> None:
    """Legacy user logs in through the migration trigger.

    GIVEN a legacy user whose bcrypt hash is staged in DynamoDB and who is not in Cognito WHEN
    logging in through the engine with the legacy password THEN a token comes back (user-migration
    trigger), it carries the Hasura claims, and ``users`` has the row; a wrong password is refused
    the same way as for any user.
    """
    email = f"legacy-{uuid.uuid4().hex[:8]}@example.com"
    env = moto_server.aws_environment()
    dynamodb = boto3.resource(
        "dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"],
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    dynamodb.Table(aws_local.legacy_hashes_table).put_item(Item={
        "email": email, "name": "Legacy Lou",
        "password_hash": bcrypt.hashpw(b"Old-Passw0rd", bcrypt.gensalt(rounds=4)).decode()})
    dynamodb.meta.client.close()
    wrong = client.run(LOGIN, {"email": email, "password": "Not-the-0ne"})
    assert wrong["errors"][0]["extensions"]["code"] == "invalid-credentials"
    answer = client.run(LOGIN, {"email": email, "password": "Old-Passw0rd"})
    assert "errors" not in answer, answer
    rows = client.run(USERS, token=answer["data"]["login"]["id_token"])["data"]["users"]
    assert [(r["email"], r["name"]) for r in rows] == [(email, "Legacy Lou")]
    again = client.run(LOGIN, {"email": email, "password": "Old-Passw0rd"})
    assert "errors" not in again, again
