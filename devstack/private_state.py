"""The state folder is private to the developer's account.

Its data (passwords cognito-local keeps in plain text, the database, logs with
confirmation codes) is nobody else's business.

The folder gets mode 0700. When the stack runs as root, PostgreSQL runs as an unprivileged
account that must pass through the folder to its data directory: the folder then gets
mode 0710 with that account's group (enter, never list or read), still nothing for others.
Every service is started with umask 077 (:mod:`devstack.process`), so the files they write
inside (cognito-local's user database included) are the owner's only.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
from pathlib import Path

PRIVATE_MODE = 0o700
SHARED_WITH_DB_MODE = 0o710


def make_private(path: Path, db_user: str | None) -> int:
    """Create ``path`` if needed and make it private; returns the mode set.

    ``db_user`` is the unprivileged account PostgreSQL runs as when the stack runs as root
    (None otherwise).
    """
    path.mkdir(parents=True, exist_ok=True)
    if db_user is None:
        path.chmod(PRIVATE_MODE)
        return PRIVATE_MODE
    group = grp.getgrgid(pwd.getpwnam(db_user).pw_gid).gr_name
    shutil.chown(path, group=group)
    path.chmod(SHARED_WITH_DB_MODE)
    return SHARED_WITH_DB_MODE


def others_can_read(path: Path) -> list[Path]:
    """Files and folders under ``path`` (itself included) that other accounts can read."""
    found = [path] if path.stat().st_mode & 0o007 else []
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            item = Path(root) / name
            if not item.is_symlink() and item.stat().st_mode & 0o004:
                found.append(item)
    return found


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable and writable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    path.chmod(0o600)
