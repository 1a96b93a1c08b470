from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.paths import REPO_ROOT
from devstack.ports import LOOPBACK, free_port
from devstack.process import read_pid, stop_pid

# Every port setting of the stack (devstack/settings.py), so a test stack never collides
# with a developer's `devstack up` or with another test.
PORT_SETTINGS = (
    "DEVSTACK_PG_PORT", "DEVSTACK_REDIS_PORT", "HASURA_GRAPHQL_SERVER_PORT", "ACTIONS_PORT",
    "TRIGGERS_PORT", "COGNITO_PORT", "MOTO_PORT", "LAMBDA_PORT",
)


def _stack_env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({name: str(free_port()) for name in PORT_SETTINGS})
    env["DEVSTACK_STATE_DIR"] = str(state_dir)
    env["COLUMNS"] = "200"
    return env


def _devstack(
    env: dict[str, str], *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args], capture_output=True, text=True, env=env,
        cwd=REPO_ROOT, timeout=timeout, check=False,
    )


@pytest.fixture
def stack_env(state_root: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Settings for a private stack; whatever it started is stopped afterwards, by pid."""
    dotenv = REPO_ROOT / ".env"
    lines = dotenv.read_text().splitlines() if dotenv.exists() else []
    if any(line.strip().startswith("DATABASE_URL=") for line in lines):
        # The environment cannot unset what .env provides: never migrate someone's database.
        pytest.skip(".env sets DATABASE_URL; the test stack would use that database")
    state_dir = state_root / f"stack-{request.node.name[:30]}"
    env = _stack_env(state_dir)
    try:
        yield env
    finally:
        _devstack(env, "down", timeout=120)
        for pid_path in (state_dir / "pids").glob("*.pid"):
            pid = read_pid(pid_path)
            if pid is not None:
                stop_pid(pid)


def test_up_twice_gives_a_clear_error(stack_env: dict[str, str]) -> None:
    """Up twice gives a clear error.

    GIVEN a stack started with `devstack up --detach` WHEN `up` runs again on the same state
    folder THEN it exits 1 with one line saying the stack runs and how to stop it, no
    traceback, and the first stack keeps running.
    """
    first = _devstack(stack_env, "up", "--detach")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "migrations" in first.stdout
    assert "seeds" in first.stdout

    second = _devstack(stack_env, "up", "--detach")

    assert second.returncode == 1
    assert "already running" in second.stderr
    assert "devstack down" in second.stderr
    assert "Traceback" not in second.stderr + second.stdout
    status = _devstack(stack_env, "status")
    assert status.returncode == 0, status.stdout + status.stderr


def test_up_on_a_port_in_use_gives_a_clear_error(stack_env: dict[str, str]) -> None:
    """Up on a port in use gives a clear error.

    GIVEN something listening on the PostgreSQL port WHEN `devstack up` runs THEN it exits 1
    naming the service and the port, no traceback, and nothing is left running.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]
        stack_env["DEVSTACK_PG_PORT"] = str(port)

        result = _devstack(stack_env, "up", "--detach")

    assert result.returncode == 1
    assert f"postgres: port {port} on {LOOPBACK} is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    pids = Path(stack_env["DEVSTACK_STATE_DIR"]) / "pids"
    assert [p for p in pids.glob("*.pid") if read_pid(p) is not None] == []
