"""The legacy database: its migrations (``legacy/migrations/``) and demo users.

In the local stack it is the ``legacy`` database of the same PostgreSQL cluster; elsewhere
``LEGACY_DATABASE_URL`` names it. Migrations use the project's runner, so their state is
kept as the Hasura CLI keeps it, in the legacy database's own ``hdb_catalog``.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from devstack.hasura_project.migrations import Migrator
from legacy.demo_users import DEMO_USERS, DemoUser

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
DATABASE_NAME = "legacy"


def migrate(database_url: str) -> int:
    """Apply the legacy database's pending migrations; returns how many were applied."""
    return len(Migrator(database_url, MIGRATIONS_DIR).apply())


def seed_demo_users(database_url: str, users: tuple[DemoUser, ...] = DEMO_USERS) -> int:
    """Insert the demo users that are not there yet (by email); returns how many were new.

    Existing rows are left alone, so seeding twice changes nothing.
    """
    with psycopg.connect(database_url) as conn:
        present = {row[0] for row in conn.execute(
            "SELECT email FROM users WHERE email = ANY(%s)", ([u.email for u in users],))}
        missing = [u for u in users if u.email not in present]
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO users (email, username, full_name, password_hash) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (email) DO NOTHING",
                [(u.email, u.username, u.full_name, u.password_hash()) for u in missing])
    return len(missing)
