from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devstack.paths import REPO_ROOT
from devstack.ports import free_port

LONG_URL = ("postgresql://postgres:secret@127.0.0.1:{port}/"
            "a_database_name_long_enough_to_overflow_eighty_columns")


def test_status_table_is_not_truncated_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    """Status table is not truncated when output is not a terminal.

    GIVEN output to a pipe and no COLUMNS WHEN `devstack status` prints its table THEN
    every URL is whole (no `…`), however long, and the password stays hidden.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(DEVSTACK_STATE_DIR=str(tmp_path), DATABASE_URL=LONG_URL.format(port=free_port()),
               MOTO_PORT=str(free_port()))

    result = subprocess.run([sys.executable, "-m", "devstack", "status"], cwd=REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 1  # nothing runs
    assert "a_database_name_long_enough_to_overflow_eighty_columns" in result.stdout
    assert f"http://127.0.0.1:{env['MOTO_PORT']}" in result.stdout
    assert "…" not in result.stdout
    assert "secret" not in result.stdout
