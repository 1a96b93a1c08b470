"""The state folder and what services write into it are private."""

from __future__ import annotations

import sys
from pathlib import Path

from devstack.private_state import make_private, others_can_read
from devstack.process import ManagedProcess
from devstack.services.postgres import run_as_user


def test_make_private_leaves_nothing_for_other_accounts(tmp_path: Path) -> None:
    """Make private leaves nothing for other accounts.

    GIVEN a state folder WHEN made private THEN others have no access: 0700, or 0710 with
    the database account's group when the stack runs as root (it must reach its data).
    """
    state = tmp_path / "state"
    mode = make_private(state, None)
    assert (mode, state.stat().st_mode & 0o777) == (0o700, 0o700)
    db_user = run_as_user()
    if db_user is not None:
        assert make_private(state, db_user) == 0o710
    assert state.stat().st_mode & 0o007 == 0


def test_managed_process_writes_private_files(tmp_path: Path) -> None:
    """Managed process writes private files.

    GIVEN a service started by devstack WHEN it writes a file and its log THEN both are
    readable by their owner only (umask 077, log created 0600).
    """
    process = ManagedProcess(
        "writer", [sys.executable, "-c", "open('data.json', 'w').write('{}')"],
        tmp_path / "logs" / "writer.log", tmp_path / "pids" / "writer.pid", cwd=tmp_path)
    process.start()
    assert process.popen is not None
    assert process.popen.wait(timeout=30) == 0
    assert (tmp_path / "data.json").stat().st_mode & 0o077 == 0
    assert (tmp_path / "logs" / "writer.log").stat().st_mode & 0o077 == 0
    assert others_can_read(tmp_path / "logs") == []
