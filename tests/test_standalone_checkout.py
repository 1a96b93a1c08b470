"""The checkout stands alone: nothing it runs needs a folder outside it.

Only tests and benchmarks read reference material kept elsewhere (``REFERENCE_DIR``).
"""

from __future__ import annotations

import ast
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from devstack.paths import REPO_ROOT
from devstack.ports import free_port
from devstack.services.credit_history import CreditHistoryService
from tests.hasura.conftest import project_engine_env


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_engine_imports_nothing_from_devstack_bench_or_tests() -> None:
    """GIVEN every module of engine/ WHEN its imports are read THEN none is devstack/bench/tests."""
    offending = {
        f"{path.relative_to(REPO_ROOT)}: {module}"
        for path in (REPO_ROOT / "engine").rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in ("devstack", "bench", "tests")
    }
    assert offending == set()


def _clone(destination: Path) -> Path:
    """The checkout as a fresh clone would hold it (tracked and new files, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def _env(clone: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REFERENCE_DIR", "ENGINE_METADATA_SCHEMA_PATH", "DEVSTACK_STATE_DIR")
           and not k.startswith("HASURA_GRAPHQL_")}
    return {**env, "PYTHONPATH": str(clone), "DEVSTACK_STATE_DIR": str(clone / ".state"),
            **extra}


def _run(clone: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=clone, env=_env(clone, **env),
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_fresh_clone_runs_the_engine_and_validates_metadata_without_reference_material(
    tmp_path: Path, create_database: Callable[[str], str],
    credit_history: CreditHistoryService,
) -> None:
    """A fresh clone runs the engine and validates metadata without reference material.

    GIVEN the repository copied into an empty folder with no shared/ beside it WHEN, from there,
    migrations are applied, `devstack metadata validate` runs and the engine serves the
    project's metadata THEN each works, and the code that ran is the clone's.
    """
    clone = _clone(tmp_path / "empty" / "project")
    assert not (clone.parent / "shared").exists()
    url = create_database("standalone")

    where = _run(clone, "-c", "import devstack.paths, engine; print(devstack.paths.REPO_ROOT, "
                 "engine.__file__)")
    assert where.stdout.split()[0] == str(clone), where.stdout + where.stderr
    assert where.stdout.split()[1].startswith(str(clone))

    migrated = _run(clone, "-m", "devstack", "migrate", "apply", DATABASE_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    validated = _run(clone, "-m", "devstack", "metadata", "validate", DATABASE_URL=url)
    assert validated.returncode == 0, validated.stderr
    assert "metadata is valid" in validated.stdout
    assert "warning" not in validated.stderr.lower()

    port = free_port()
    log = (tmp_path / "engine.log").open("w")
    engine = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve"], cwd=clone, stdout=log, stderr=log,
        env=_env(clone, HASURA_GRAPHQL_DATABASE_URL=url, HASURA_GRAPHQL_SERVER_PORT=str(port),
                 HASURA_GRAPHQL_ADMIN_SECRET="standalone-secret",
                 HASURA_GRAPHQL_UNAUTHORIZED_ROLE="anonymous",
                 # The metadata's remote schema must answer (and get its shared secret).
                 **project_engine_env(credit_history)),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, engine)
        applied = _run(clone, "-m", "devstack", "metadata", "apply", "--endpoint", base,
                       "--admin-secret", "standalone-secret")
        assert applied.returncode == 0, applied.stderr
        answer = httpx.post(f"{base}/v1/graphql",
                            json={"query": "{ crypto_assets(limit: 1) { symbol } }"},
                            timeout=10).json()
        assert answer == {"data": {"crypto_assets": []}}
    finally:
        engine.send_signal(signal.SIGTERM)
        engine.wait(timeout=30)
        log.close()
    assert "metadata.openapi.json" not in (tmp_path / "engine.log").read_text()


def _wait_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the engine exited during start-up"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the engine did not become healthy within 60 s")
