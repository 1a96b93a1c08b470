from __future__ import annotations

import json
from typing import Any, cast

import boto3
import pytest

from devstack.services.moto import MotoService
from tests.api_gateway import http_api_post

CONTEXT = cast(Any, object())
JSON = {"content-type": "application/json"}
EVENT_BODY = {
    "id": "5b1f0c3e-7c1b-4a36-9d4f-0a9f1c2e8d11",
    "created_at": "2026-11-21T00:00:00Z",
    "table": {"schema": "public", "name": "users"},
    "trigger": {"name": "user_created"},
    "event": {"op": "INSERT", "data": {"old": None, "new": {"id": "u1"}},
              "session_variables": {"x-hasura-role": "admin"}, "trace_context": None},
    "delivery_info": {"current_retry": 0, "max_retries": 3},
}


def test_lambda_handler_reads_the_shared_secret_from_secrets_manager(
    monkeypatch: pytest.MonkeyPatch, moto_server: MotoService
) -> None:
    """Lambda handler reads the shared secret from Secrets Manager.

    GIVEN only ACTION_SHARED_SECRET_ARN (as Terraform configures the function) and the secret in
    moto WHEN API Gateway events reach /echo THEN the right header is accepted and a wrong one is
    refused with 401.
    """
    from triggers import settings

    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_REGION": "us-east-1",
                       "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_server.url(),
                       "REDIS_URL": "redis://127.0.0.1:9/0"}.items():  # timeline cache, unused
        monkeypatch.setenv(key, value)
    secrets = boto3.client("secretsmanager", region_name="us-east-1",
                           endpoint_url=moto_server.url())
    arn = secrets.create_secret(Name="triggers-shared-secret-test",
                                SecretString="from-secrets-manager")["ARN"]
    monkeypatch.delenv("ACTION_SHARED_SECRET", raising=False)
    monkeypatch.setenv("ACTION_SHARED_SECRET_ARN", arn)
    monkeypatch.chdir("/")  # no .env to fall back on
    settings.get_settings.cache_clear()
    try:
        from triggers.lambda_handler import handler

        right = {**JSON, "x-action-secret": "from-secrets-manager"}
        wrong = {**JSON, "x-action-secret": "guess"}
        accepted = handler(http_api_post("/echo", EVENT_BODY, right), CONTEXT)
        refused = handler(http_api_post("/echo", EVENT_BODY, wrong), CONTEXT)
    finally:
        settings.get_settings.cache_clear()
        secrets.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    assert accepted["statusCode"] == 200, accepted["body"]
    assert refused["statusCode"] == 401
    assert json.loads(refused["body"])["extensions"]["code"] == "access-denied"
