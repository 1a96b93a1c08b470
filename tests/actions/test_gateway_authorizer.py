"""The API Gateway authorizer in front of the action and trigger APIs."""

from __future__ import annotations

from typing import Any, cast

import boto3
import pytest

from actions import gateway_authorizer
from tests.api_gateway import http_api_post

CONTEXT = cast(Any, object())


def test_gateway_authorizer_admits_only_the_shared_secret(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Gateway authorizer admits only the shared secret.

    GIVEN the shared secret in the environment WHEN API Gateway asks about requests with the
    right header, a wrong one, a longer one and none THEN only the first is authorised.
    """
    monkeypatch.setenv("ACTION_SHARED_SECRET", "gateway-secret")
    answers = [gateway_authorizer.handler(http_api_post("/login", {}, headers), CONTEXT)
               for headers in ({"x-action-secret": "gateway-secret"},
                               {"X-Action-Secret": "gateway-secret"},
                               {"x-action-secret": "wrong"},
                               {"x-action-secret": "gateway-secret-and-more"}, {})]
    assert [a["isAuthorized"] for a in answers] == [True, True, False, False, False]


def test_gateway_authorizer_reads_the_secret_from_secrets_manager(
        monkeypatch: pytest.MonkeyPatch, moto_server: Any) -> None:
    """Gateway authorizer reads the secret from secrets manager.

    GIVEN only ACTION_SHARED_SECRET_ARN (as on AWS) and the secret in Secrets Manager (moto)
    WHEN a request carries it THEN it is authorised.
    """
    monkeypatch.delenv("ACTION_SHARED_SECRET", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_server.url())
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    client = boto3.client("secretsmanager", endpoint_url=moto_server.url(),
                          region_name="us-east-1")
    arn = client.create_secret(Name="gateway-authorizer-test",
                               SecretString="from-secrets-manager")["ARN"]
    monkeypatch.setenv("ACTION_SHARED_SECRET_ARN", arn)
    event = http_api_post("/login", {}, {"x-action-secret": "from-secrets-manager"})
    assert gateway_authorizer.handler(event, CONTEXT) == {"isAuthorized": True}
