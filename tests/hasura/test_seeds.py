from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from devstack.hasura_project import seeds
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR

SEEDS = HASURA_DIR / "seeds"


def _counts(url: str) -> dict[str, int]:
    tables = ("users", "profiles", "accounts", "account_users", "transactions", "crypto_assets",
              "crypto_prices", "wallets", "credit_products", "credit_product_applications",
              "auctions")
    counts = {}
    with psycopg.connect(url) as conn:
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM public.{}").format(sql.Identifier(table))
            row = conn.execute(query).fetchone()
            counts[table] = row[0] if row else 0
    return counts


def test_seeds_load_a_small_data_set_and_are_idempotent(database_url: str) -> None:
    """Seeds load a small data set and are idempotent.

    GIVEN a migrated database WHEN the seeds are applied twice THEN every core table has rows
    and the second run inserts nothing.
    """
    Migrator(database_url, HASURA_DIR / "migrations").apply()
    files = seeds.seed_files(SEEDS)

    first = seeds.apply(database_url, files)
    counts = _counts(database_url)
    second = seeds.apply(database_url, files)

    assert sum(first.values()) > 0
    assert all(count > 0 for count in counts.values()), counts
    assert sum(second.values()) == 0
    assert _counts(database_url) == counts
    with psycopg.connect(database_url) as conn:
        symbols = [s for (s,) in conn.execute("SELECT symbol FROM crypto_assets ORDER BY 1")]
    assert symbols == ["BTC", "ETH", "SOL"]


def test_seeds_failure_names_the_file_and_rolls_back(database_url: str, tmp_path: Path) -> None:
    """Seeds failure names the file and rolls back.

    GIVEN a seed file whose second statement breaks a constraint WHEN applied THEN the error
    names the file and the constraint, and its first statement is rolled back too.
    """
    Migrator(database_url, HASURA_DIR / "migrations").apply()
    bad = tmp_path / "bad.sql"
    bad.write_text(
        "INSERT INTO public.crypto_assets (symbol, name) VALUES ('ADA', 'Cardano');\n"
        "INSERT INTO public.crypto_assets (symbol, name) VALUES ('bad symbol', 'Nope');\n"
    )

    with pytest.raises(seeds.SeedError) as caught:
        seeds.apply(database_url, [bad])

    assert str(bad) in str(caught.value)
    assert "crypto_assets_symbol_shape" in str(caught.value)
    assert _counts(database_url)["crypto_assets"] == 0


def test_seeds_one_file_by_name() -> None:
    """Seeds one file by name.

    GIVEN `--file` with a seed's name THEN only that file is chosen; an unknown name is refused.
    """
    [chosen] = seeds.seed_files(SEEDS, only="1732060902000_crypto.sql")

    assert chosen.name == "1732060902000_crypto.sql"
    with pytest.raises(seeds.SeedError, match="no seed file"):
        seeds.seed_files(SEEDS, only="nope.sql")
