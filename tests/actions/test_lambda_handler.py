from __future__ import annotations

import json
from typing import Any, cast

import pytest

from devstack.services.cognito import CognitoLocal, UserPool
from tests.api_gateway import http_api_post

CONTEXT = cast(Any, object())


def test_lambda_handler_serves_actions_behind_api_gateway(
    monkeypatch: pytest.MonkeyPatch, bare_pool: tuple[CognitoLocal, UserPool],
    redis_scratch_url: str,
) -> None:
    """Lambda handler serves actions behind api gateway.

    GIVEN the Mangum handler with real Cognito and Redis settings WHEN API Gateway events arrive
    (twice: a warm instance) THEN the action answers as over HTTP, and a call without the secret is
    refused.
    """
    from actions.settings import get_settings

    pool = bare_pool[1]
    monkeypatch.setenv("ACTION_SHARED_SECRET", "lambda-secret")
    monkeypatch.setenv("COGNITO_APP_CLIENT_ID", pool.client_id)
    monkeypatch.setenv("COGNITO_ENDPOINT_URL", pool.endpoint)
    monkeypatch.setenv("REDIS_URL", redis_scratch_url)
    get_settings.cache_clear()
    from actions.lambda_handler import handler

    body = {"action": {"name": "login"},
            "input": {"email": "nobody@example.com", "password": "Any-passw0rd"},
            "session_variables": {"x-hasura-role": "anonymous"}}
    headers = {"content-type": "application/json", "x-action-secret": "lambda-secret",
               "x-forwarded-for": "198.51.100.1"}
    try:
        for _ in range(2):
            result = handler(http_api_post("/login", body, headers), CONTEXT)
            assert result["statusCode"] == 401
            assert json.loads(result["body"])["extensions"]["code"] == "invalid-credentials"
        refused = handler(http_api_post("/login", body, {"content-type": "application/json"}),
                          CONTEXT)
        assert refused["statusCode"] == 401
        assert json.loads(refused["body"])["extensions"]["code"] == "access-denied"
    finally:
        get_settings.cache_clear()
