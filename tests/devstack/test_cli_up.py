from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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
    "TRIGGERS_PORT", "COGNITO_PORT", "MOTO_PORT", "LAMBDA_PORT", "DEVSTACK_KAFKA_PORT",
    "EVENT_SOURCES_PORT", "CREDIT_HISTORY_PORT",
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


def test_up_twice_gives_a_clear_error_and_down_is_reported_as_a_stop(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    """Up twice gives a clear error; `down` from elsewhere is reported as a stop.

    GIVEN a stack running in the foreground (`devstack up`) WHEN `up` runs again on the same
    state folder THEN it exits 1 with one line saying the stack runs and how to stop it, and
    the first stack keeps running. WHEN `devstack down` runs from another process THEN the
    foreground `up` says a stop was requested (not that services exited) and ends with 0.
    """
    out = tmp_path / "up.out"
    with out.open("w") as sink:
        first = subprocess.Popen([sys.executable, "-m", "devstack", "up"], stdout=sink,
                                 stderr=subprocess.STDOUT, env=stack_env, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 240
        while "Ctrl-C stops the stack" not in out.read_text():
            assert first.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.5)
        assert "migrations" in out.read_text()
        assert "seeds" in out.read_text()

        second = _devstack(stack_env, "up", "--detach")

        assert second.returncode == 1
        assert "already running" in second.stderr
        assert "./dev down" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout
        status = _devstack(stack_env, "status")
        assert status.returncode == 0, status.stdout + status.stderr

        down = _devstack(stack_env, "down", timeout=120)
        assert down.returncode == 0, down.stderr
        assert first.wait(timeout=120) == 0
    finally:
        if first.poll() is None:
            first.terminate()  # the foreground `up` stops its services on SIGTERM
            first.wait(timeout=120)
    printed = out.read_text()
    assert "stop requested by `./dev down`" in printed
    assert "exited" not in printed


def _listening() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen()
    return sock


def test_up_checks_every_port_before_starting_anything(stack_env: dict[str, str]) -> None:
    """Up checks every port before starting anything.

    GIVEN something listening on the PostgreSQL port and on the engine's (the first and a
    late service) WHEN `devstack up` runs THEN it exits 1 naming both services and ports, no
    traceback, and no service was started (not even PostgreSQL).
    """
    with _listening() as pg_taken, _listening() as engine_taken:
        pg_port, engine_port = pg_taken.getsockname()[1], engine_taken.getsockname()[1]
        stack_env["DEVSTACK_PG_PORT"] = str(pg_port)
        stack_env["HASURA_GRAPHQL_SERVER_PORT"] = str(engine_port)

        result = _devstack(stack_env, "up", "--detach")

    assert result.returncode == 1
    assert f"postgres: port {pg_port} on {LOOPBACK} is already in use" in result.stderr
    assert f"engine: port {engine_port} on {LOOPBACK} is already in use" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    state = Path(stack_env["DEVSTACK_STATE_DIR"])
    assert list(state.glob("pids/*.pid")) == []
    assert list(state.glob("logs/*.log")) == []
