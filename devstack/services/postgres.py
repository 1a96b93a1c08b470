"""PostgreSQL 15, the local stand-in for RDS: a cluster in the state folder, loopback only."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from devstack.errors import StackError
from devstack.ports import LOOPBACK, ensure_free, is_listening
from devstack.process import ManagedProcess, as_account
from devstack.settings import StackSettings
from devstack.stack import log_file, pid_file

PG_MAJOR = "15"
SUPERUSER = "postgres"
UNPRIVILEGED_USERS = ("postgres", "devstack")


def pg_bindir() -> Path:
    """The bin directory of the PostgreSQL 15 server installation."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/{PG_MAJOR}/bin/postgres"))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), reverse=True)
    for candidate in candidates:
        return Path(candidate).parent
    found = shutil.which("postgres")
    if found:
        return Path(found).resolve().parent
    raise StackError(
        "PostgreSQL server binaries not found; install them with "
        "`apt-get install postgresql postgresql-contrib` (./dev setup does this)"
    )


def run_as_user() -> str | None:
    """The unprivileged account that owns the cluster when run as root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in UNPRIVILEGED_USERS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(  # noqa: S603 - fixed argv
        ["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
         UNPRIVILEGED_USERS[-1]],
        check=True,
    )
    return UNPRIVILEGED_USERS[-1]


@dataclass
class PostgresServer:
    """A PostgreSQL cluster under ``root`` (data dir, socket dir, log) serving ``port``."""

    root: Path
    port: int
    password: str = "postgres"  # noqa: S105 - local development cluster only
    database: str = "postgres"
    process: ManagedProcess | None = None

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """Unix socket directory (kept inside the state folder, not /var/run)."""
        return self.root / "socket"

    def url(self, database: str | None = None) -> str:
        """A ``postgresql://`` URL for ``database`` (default: the server's)."""
        return (
            f"postgresql://{SUPERUSER}:{quote(self.password, safe='')}@{LOOPBACK}:{self.port}/"
            f"{database or self.database}"
        )

    def init(self) -> bool:
        """Create the cluster if it does not exist yet; returns whether it was created."""
        if (self.data_dir / "PG_VERSION").exists():
            return False
        user = run_as_user()
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / ".pwfile"
        pwfile.write_text(self.password + "\n")
        if user is not None:
            _ensure_traversable(self.root, user)
            for path in (self.root, self.socket_dir, pwfile):
                shutil.chown(path, user=user)
        try:
            result = subprocess.run(  # noqa: S603 - argv is built here
                [str(pg_bindir() / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                 f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                 "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                capture_output=True, text=True, check=False, **as_account(user),
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise StackError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        return True

    def start(self, log_path: Path, pid_path: Path, fsync: bool = True) -> ManagedProcess:
        """Start the server (creating the cluster first if needed) and wait for it."""
        ensure_free(self.port, "postgres")
        self.init()
        settings = {
            "listen_addresses": LOOPBACK,
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
            "max_connections": "400",
            "shared_buffers": "128MB",
            "fsync": "on" if fsync else "off",
            "synchronous_commit": "on" if fsync else "off",
            "full_page_writes": "on" if fsync else "off",
        }
        argv = [str(pg_bindir() / "postgres"), "-D", str(self.data_dir)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        user = run_as_user()
        if user is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.touch()
        self.process = ManagedProcess("postgres", argv, log_path, pid_path, user=user)
        self.process.start()
        self.process.wait_until(self.ready, timeout=60)
        return self.process

    def ready(self) -> bool:
        """Whether the server accepts connections and answers a query."""
        if not is_listening(self.port):
            return False
        result = subprocess.run(  # noqa: S603 - argv is built here
            [str(pg_bindir() / "pg_isready"), "-h", LOOPBACK, "-p", str(self.port), "-q"],
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> None:
        """Stop the server if this object started it.

        SIGINT is PostgreSQL's fast shutdown: clients still connected (an engine's pool) are
        disconnected instead of being waited for, as SIGTERM's smart shutdown would.
        """
        if self.process is not None:
            self.process.stop(timeout=30, first=signal.SIGINT)


def _ensure_traversable(path: Path, user: str) -> None:
    """Fail clearly when ``user`` cannot reach ``path`` (e.g. a 0700 temp dir owned by root)."""
    group = pwd.getpwnam(user).pw_gid
    for parent in path.resolve().parents:
        info = os.stat(parent)
        if not (info.st_mode & 0o001 or (info.st_gid == group and info.st_mode & 0o010)):
            raise StackError(
                f"postgres runs as {user!r}, which cannot enter {parent} (mode "
                f"{oct(os.stat(parent).st_mode & 0o777)}); put the state folder elsewhere "
                f"or `chmod o+x {parent}`"
            )


APP_DATABASE = "app"


class PostgresService:
    """The stack's PostgreSQL: the local cluster, or nothing when DATABASE_URL points elsewhere."""

    name = "postgres"

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.server = PostgresServer(settings.state_dir / "postgres", settings.pg_port)

    def database_url(self) -> str:
        """The application database: DATABASE_URL when set, else the local cluster's."""
        return self.settings.database_url or self.server.url(APP_DATABASE)

    def url(self) -> str:
        """The database URL with its password hidden."""
        return _hide_password(self.database_url())

    def describe(self) -> str:
        """What this stands in for."""
        return "RDS PostgreSQL 15" + (" (external)" if self.settings.database_url else "")

    def start(self) -> None:
        """Start the cluster and create the application database (no-op when external)."""
        if self.settings.database_url:
            return
        self.server.start(log_file(self.settings, self.name), pid_file(self.settings, self.name))
        create_database(self.server, APP_DATABASE)

    def healthy(self) -> bool:
        """Whether the database answers ``SELECT 1``."""
        return _can_query(self.database_url())


def create_database(server: PostgresServer, name: str) -> None:
    """Create database ``name`` on ``server`` unless it exists."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(server.url(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _can_query(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _hide_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
