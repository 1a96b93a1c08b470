"""The engine process over HTTP: health, version, admin-only APIs, settings at start-up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import httpx

from devstack.services.engine import EngineHandle
from tests.conftest import ENGINE_ADMIN_SECRET


def test_healthz_answers_ok_once_started(engine: EngineHandle) -> None:
    """GIVEN a started engine WHEN /healthz is fetched THEN it answers 200 with a short text."""
    response = httpx.get(engine.base_url + "/healthz")
    assert response.status_code == 200
    assert response.text in ("OK", "WARN: inconsistent objects in schema")


def test_version_reports_a_v2_version(engine: EngineHandle) -> None:
    """GIVEN a started engine WHEN /v1/version is fetched THEN it names a v2 version."""
    body = httpx.get(engine.base_url + "/v1/version").json()
    assert body["version"].startswith("v2.")


def test_metadata_api_refuses_a_request_without_the_admin_secret(engine: EngineHandle) -> None:
    """Metadata api refuses a request without the admin secret.

    GIVEN an engine with an admin secret and no JWT WHEN /v1/metadata is called without the
    secret (anonymous role) THEN it answers 400 access-denied and exports nothing.
    """
    response = engine.post("/v1/metadata", {"type": "export_metadata", "args": {}})
    assert response.status_code == 400
    assert response.json()["code"] == "access-denied"


def test_metadata_api_refuses_a_wrong_admin_secret(engine: EngineHandle) -> None:
    """GIVEN an engine with an admin secret WHEN a wrong secret is sent THEN 401 access-denied."""
    response = engine.post("/v1/metadata", {"type": "export_metadata", "args": {}},
                           {"X-Hasura-Admin-Secret": ENGINE_ADMIN_SECRET + "x"})
    assert response.status_code == 401
    assert response.json() == {"path": "$", "error":
                               "invalid x-hasura-admin-secret/x-hasura-access-key",
                               "code": "access-denied"}


def test_metadata_api_refuses_a_non_admin_role_even_with_the_secret(
    engine: EngineHandle,
) -> None:
    """GIVEN the admin secret WHEN X-Hasura-Role is user THEN /v1/query is admin only."""
    response = engine.post("/v1/query", {"type": "run_sql", "args": {"sql": "select 1"}},
                           engine.admin_headers(X_Hasura_Role="user"))
    assert response.status_code == 400
    assert response.json()["code"] == "access-denied"


def test_metadata_api_rejects_a_body_that_is_not_json(engine: EngineHandle) -> None:
    """GIVEN the admin secret WHEN the body is not JSON THEN 400 invalid-json, no 500."""
    response = engine.http.post("/v1/metadata", content=b"{not json",
                                headers=engine.admin_headers(Content_Type="application/json"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid-json"


def test_graphql_answers_auth_errors_with_200_and_an_errors_list(engine: EngineHandle) -> None:
    """Graphql answers auth errors with 200 and an errors list.

    GIVEN a wrong admin secret WHEN /v1/graphql is called THEN the answer is 200 with Hasura's
    error shape, as Hasura does.
    """
    response = engine.post("/v1/graphql", {"query": "{ __typename }"},
                           {"X-Hasura-Admin-Secret": "wrong"})
    assert response.status_code == 200
    assert response.json() == {"errors": [{
        "message": "invalid x-hasura-admin-secret/x-hasura-access-key",
        "extensions": {"path": "$", "code": "access-denied"}}]}


def test_graphql_rejects_a_body_that_is_not_json(engine: EngineHandle) -> None:
    """GIVEN the admin secret WHEN the GraphQL body is not JSON THEN an invalid-json error."""
    response = engine.http.post("/v1/graphql", content=b"]",
                                headers=engine.admin_headers(Content_Type="application/json"))
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "invalid-json"


def test_serve_fails_at_start_naming_the_missing_database_url() -> None:
    """Serve fails at start naming the missing database url.

    GIVEN no HASURA_GRAPHQL_DATABASE_URL WHEN the engine starts THEN it exits with an error that
    names the variable.
    """
    result = subprocess.run(
        [sys.executable, "-m", "engine", "serve"], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "."}, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert "HASURA_GRAPHQL_DATABASE_URL" in result.stderr


def test_serve_fails_at_start_on_an_unusable_jwt_secret(
    create_database: Callable[[str], str],
) -> None:
    """Serve fails at start on an unusable jwt secret.

    GIVEN a JWT secret without a key WHEN the engine starts THEN it exits naming the setting and
    never prints the secret's value.
    """
    result = subprocess.run(
        [sys.executable, "-m", "engine", "serve"], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ".",
             "HASURA_GRAPHQL_DATABASE_URL": create_database("badjwt"),
             "HASURA_GRAPHQL_JWT_SECRET": '{"type": "HS256", "key": "short-secret-value"}'},
        timeout=60, check=False,
    )
    assert result.returncode == 2
    assert "HASURA_GRAPHQL_JWT_SECRET" in result.stderr
    assert "short-secret-value" not in result.stderr
