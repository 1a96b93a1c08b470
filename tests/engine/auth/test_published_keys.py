"""The engine refuses cognito-local's published signing key outside development mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from devstack.paths import REPO_ROOT
from devstack.ports import free_port
from engine.auth.published_keys import published_key_name
from tests.engine.auth.jwks_server import JwksServer

COGNITO_LOCAL_KEY = REPO_ROOT / "node_modules/cognito-local/lib/keys/cognitoLocal.public.json"


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    """cognito-local's public JWK, as its npm package ships it."""
    if not COGNITO_LOCAL_KEY.exists():
        pytest.skip("cognito-local is not installed (npm ci)")
    jwk: dict[str, Any] = json.loads(COGNITO_LOCAL_KEY.read_text())["jwk"]
    return jwk


def test_published_key_name_knows_the_key_cognito_local_ships(published: dict[str, Any]) -> None:
    """GIVEN the key in cognito-local's npm package THEN the engine knows it as published."""
    assert published_key_name(published) == "cognito-local's published key"
    assert published_key_name({**published, "n": published["n"][:-4] + "AAAA"}) is None


def _serve(jwks_url: str, *, dev_mode: bool, host: str, port: int, database_url: str
           ) -> subprocess.Popen[str]:
    env = {**os.environ,
           "HASURA_GRAPHQL_DATABASE_URL": database_url,
           "HASURA_GRAPHQL_SERVER_HOST": host,
           "HASURA_GRAPHQL_SERVER_PORT": str(port),
           "HASURA_GRAPHQL_DEV_MODE": str(dev_mode).lower(),
           "HASURA_GRAPHQL_ADMIN_SECRET": "s3cret-for-this-test",
           "HASURA_GRAPHQL_JWT_SECRET": json.dumps({"jwk_url": jwks_url})}
    return subprocess.Popen([sys.executable, "-m", "engine", "serve"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize(("dev_mode", "host"), [(False, "127.0.0.1"), (True, "0.0.0.0")])  # noqa: S104
def test_engine_refuses_to_start_on_the_published_jwks_outside_dev_mode(
        published: dict[str, Any], database_url: str,
        dev_mode: bool, host: str) -> None:
    """Engine refuses to start on the published jwks outside dev mode.

    GIVEN a JWKS URL serving cognito-local's key WHEN the engine starts without development
    mode, or in development mode but listening beyond loopback, THEN it exits at start-up
    naming the published key (a forged admin token could otherwise run run_sql).
    """
    with JwksServer({"keys": [published]}) as jwks:
        process = _serve(jwks.url, dev_mode=dev_mode, host=host, port=free_port(),
                         database_url=database_url)
        try:
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode != 0
    assert "published key" in stderr


def test_engine_trusts_the_published_jwks_in_dev_mode_on_loopback(
        published: dict[str, Any], database_url: str) -> None:
    """Engine trusts the published jwks in dev mode on loopback.

    GIVEN the same JWKS WHEN the engine runs with HASURA_GRAPHQL_DEV_MODE=true on 127.0.0.1
    (the local stack) THEN it starts and answers /healthz.
    """
    port = free_port()
    with JwksServer({"keys": [published]}) as jwks:
        process = _serve(jwks.url, dev_mode=True, host="127.0.0.1", port=port,
                         database_url=database_url)
        try:
            status = None
            for _ in range(300):
                if process.poll() is not None:
                    break
                try:
                    status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            assert status == 200, process.stderr.read() if process.stderr else ""
        finally:
            process.terminate()
            process.wait(timeout=20)
            if process.stderr:
                process.stderr.close()
