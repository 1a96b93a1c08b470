from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from devstack.hasura_project import seeds
from devstack.hasura_project.migrations import Migrator, discover
from devstack.paths import HASURA_DIR
from tests.hasura.project_copy import schema_dump

MIGRATIONS = HASURA_DIR / "migrations"


def _migrate_up_down_up(url: str, seed: bool) -> tuple[str, str, str]:
    migrator = Migrator(url, MIGRATIONS)
    migrator.apply()
    if seed:
        seeds.apply(url, seeds.seed_files(HASURA_DIR / "seeds"))
    first = schema_dump(url)
    migrator.down(everything=True)
    emptied = schema_dump(url)
    migrator.apply()
    return first, emptied, schema_dump(url)


@pytest.mark.parametrize("seed", [False, True], ids=["empty", "seeded"])
def test_migrations_up_down_up_gives_the_same_schema(
    create_database: Callable[[str], str], seed: bool
) -> None:
    """Migrations up down up gives the same schema.

    GIVEN an empty (or seeded) migrated database WHEN all migrations go down and up again THEN the
    schema is identical, and after down nothing of ours is left.
    """
    url = create_database("updown")
    baseline = schema_dump(url)
    first, emptied, second = _migrate_up_down_up(url, seed)
    assert "CREATE TABLE public.users" in first
    assert second == first
    assert emptied == baseline


def test_migrations_record_state_as_hasura_cli_does(database_url: str) -> None:
    """Migrations record state as hasura cli does.

    GIVEN a fresh database WHEN migrations are applied THEN hdb_catalog.hdb_version holds one row
    whose cli_state has the Hasura CLI v3 shape, with every version clean.
    """
    Migrator(database_url, MIGRATIONS).apply()
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT cli_state, version, hasura_uuid IS NOT NULL, console_state "
            "FROM hdb_catalog.hdb_version"
        ).fetchall()
    assert len(rows) == 1
    cli_state, version, has_uuid, console_state = rows[0]
    versions = {str(m.version): False for m in discover(MIGRATIONS / "default")}
    assert cli_state == {
        "migrations": {"default": versions},
        "settings": {"migration_mode": "true"},
        "isStateCopyCompleted": True,
    }
    assert (version, has_uuid, console_state) == ("48", True, {})


def test_migrations_keep_what_others_store_in_hdb_version(database_url: str) -> None:
    """Migrations keep what others store in hdb version.

    GIVEN hdb_version written by Hasura's server (console state, other cli_state keys) WHEN
    migrations are applied THEN those values are kept.
    """
    with psycopg.connect(database_url) as conn:
        conn.execute("CREATE SCHEMA hdb_catalog")
        conn.execute(
            "CREATE TABLE hdb_catalog.hdb_version (hasura_uuid uuid PRIMARY KEY DEFAULT "
            "gen_random_uuid(), version text NOT NULL, upgraded_on timestamptz NOT NULL, "
            "cli_state jsonb NOT NULL DEFAULT '{}', console_state jsonb NOT NULL DEFAULT '{}')"
        )
        conn.execute(
            "INSERT INTO hdb_catalog.hdb_version (version, upgraded_on, cli_state, console_state) "
            "VALUES ('47', now(), '{\"settings\": {\"migration_mode\": \"false\"}}', "
            "'{\"onboardingShown\": true}')"
        )
    Migrator(database_url, MIGRATIONS).apply(up=1)
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT version, cli_state, console_state FROM hdb_catalog.hdb_version"
        ).fetchone()
    assert row is not None
    version, cli_state, console_state = row
    assert version == "47"
    assert console_state == {"onboardingShown": True}
    assert cli_state["settings"] == {"migration_mode": "false"}
    assert list(cli_state["migrations"]["default"]) == [
        str(discover(MIGRATIONS / "default")[0].version)
    ]


def test_migrations_create_the_names_other_code_relies_on(database_url: str) -> None:
    """Migrations create the names other code relies on.

    GIVEN the migrated schema THEN the tables and constraint names of the shared contract exist
    (upserts target them by name).
    """
    Migrator(database_url, MIGRATIONS).apply()
    with psycopg.connect(database_url) as conn:
        constraints = {
            row[0] for row in conn.execute(
                "SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            )
        }
        email_type = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'public.users'::regclass AND attname = 'email'"
        ).fetchone()
        statuses = conn.execute(
            "SELECT value FROM public.credit_application_status ORDER BY value"
        ).fetchall()
    assert {
        "users_pkey", "users_email_key", "crypto_prices_asset_symbol_quote_currency_minute_key",
        "crypto_assets_pkey",
    } <= constraints
    assert email_type == ("citext",)
    assert [s for (s,) in statuses] == ["APPROVED", "DENIED", "PENDING"]


def test_migrations_updated_at_trigger_stamps_updates(database_url: str) -> None:
    """GIVEN a user row WHEN it is updated THEN updated_at moves forward by itself."""
    Migrator(database_url, MIGRATIONS).apply()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.users (id, email, name, updated_at) "
            "VALUES ('sub-1', 'A@Example.com', 'A', now() - interval '1 day')"
        )
        conn.execute("UPDATE public.users SET name = 'B' WHERE id = 'sub-1'")
        row = conn.execute(
            "SELECT updated_at > now() - interval '1 minute' FROM public.users "
            "WHERE email = 'a@example.com'"
        ).fetchone()
    assert row == (True,)


def test_migrations_latest_transactions_use_the_account_index(database_url: str) -> None:
    """Migrations latest transactions use the account index.

    GIVEN the transactions table WHEN the latest rows of one account are asked for THEN the planner
    can answer from the (account_id, occurred_at DESC) index without sorting.
    """
    Migrator(database_url, MIGRATIONS).apply()
    with psycopg.connect(database_url) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        plan = "\n".join(
            row[0] for row in conn.execute(
                "EXPLAIN SELECT * FROM public.transactions "
                "WHERE account_id = 'a1000000-0000-4000-8000-000000000001' "
                "ORDER BY occurred_at DESC LIMIT 20"
            )
        )
    assert "transactions_account_id_occurred_at_idx" in plan
    assert "Sort" not in plan
