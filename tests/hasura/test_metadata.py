from __future__ import annotations

from typing import Any

import pytest

from devstack.hasura_project import (
    metadata_db_check,
    metadata_dir,
    metadata_model,
    metadata_schema,
    yaml_io,
)
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from tests import reference

# Public product and price data, seed 004's public timeline (unexpired posts only) and
# seed 003's open auctions.
PUBLIC_TABLES = {"crypto_assets", "crypto_prices", "credit_products",
                 "posts", "replies", "likes", "post_lifetimes", "auctions", "auction_status"}


@pytest.fixture(scope="module")
def metadata() -> dict[str, Any]:
    """The project's metadata as replace_metadata JSON."""
    return metadata_dir.read(HASURA_DIR).metadata


def _tables(metadata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["table"]["name"]: t for t in metadata["sources"][0]["tables"]}


def test_metadata_is_valid_against_the_engine_model() -> None:
    """GIVEN hasura/metadata WHEN checked with the engine's typed model THEN no problem."""
    assert [str(p) for p in metadata_model.validate(metadata_dir.read(HASURA_DIR))] == []


@reference.needs(*reference.METADATA_SCHEMA)
def test_metadata_is_valid_against_hasura_schema() -> None:
    """GIVEN hasura/metadata WHEN checked against Hasura's metadata.openapi.json THEN no problem."""
    problems = metadata_schema.validate(metadata_dir.read(HASURA_DIR),
                                        reference.path(*reference.METADATA_SCHEMA))

    assert [str(p) for p in problems] == []


def test_metadata_is_consistent_with_the_migrated_database(database_url: str) -> None:
    """Metadata is consistent with the migrated database.

    GIVEN a database migrated with hasura/migrations WHEN the metadata is checked against it THEN
    every table, column, relationship and permission column exists.
    """
    Migrator(database_url, HASURA_DIR / "migrations").apply()

    problems = metadata_db_check.validate(metadata_dir.read(HASURA_DIR), database_url)

    assert [str(p) for p in problems] == []


def test_metadata_tracks_every_table_of_the_migrations(
    metadata: dict[str, Any], database_url: str
) -> None:
    """GIVEN the migrated public schema THEN each of its tables is tracked (none forgotten)."""
    Migrator(database_url, HASURA_DIR / "migrations").apply()
    catalog = metadata_db_check.load_catalog(database_url)

    in_database = {name for schema, name in catalog.columns if schema == "public"}

    assert set(_tables(metadata)) == in_database


def test_metadata_anonymous_reads_only_public_product_and_price_data(
    metadata: dict[str, Any],
) -> None:
    """Metadata anonymous reads only public product and price data.

    GIVEN the permissions THEN the anonymous role can select only the public tables and write
    nothing.
    """
    readable = set()
    for name, table in _tables(metadata).items():
        roles = {p["role"] for kind in ("insert_permissions", "update_permissions",
                                        "delete_permissions") for p in table.get(kind, [])}
        assert "anonymous" not in roles, name
        if any(p["role"] == "anonymous" for p in table.get("select_permissions", [])):
            readable.add(name)

    assert readable == PUBLIC_TABLES


def _mentions_user_id(expression: Any) -> bool:
    if isinstance(expression, dict):
        return any(_mentions_user_id(v) for v in expression.values())
    if isinstance(expression, list):
        return any(_mentions_user_id(v) for v in expression)
    return isinstance(expression, str) and expression.lower() == "x-hasura-user-id"


def test_metadata_user_rows_are_scoped_to_the_session_user(metadata: dict[str, Any]) -> None:
    """Metadata user rows are scoped to the session user.

    GIVEN every user-role permission on a table that is not public data THEN its filter and check
    compare with X-Hasura-User-Id, and inserts preset the owner from the session.
    """
    for name, table in _tables(metadata).items():
        if name in PUBLIC_TABLES or table.get("is_enum"):
            continue
        for kind in ("select_permissions", "update_permissions", "delete_permissions",
                     "insert_permissions"):
            for perm in table.get(kind, []):
                if perm["role"] != "user":
                    continue
                body = perm["permission"]
                expression = body.get("check") if kind == "insert_permissions" else body["filter"]
                assert _mentions_user_id(expression), (name, kind)
                if kind == "insert_permissions":
                    assert _mentions_user_id(body.get("set", {})), (name, kind)
                if kind == "update_permissions":
                    assert _mentions_user_id(body.get("check")), (name, kind)


def test_metadata_tracks_the_status_table_as_an_enum(metadata: dict[str, Any]) -> None:
    """GIVEN credit_application_status THEN it is tracked with is_enum (a GraphQL enum)."""
    assert _tables(metadata)["credit_application_status"].get("is_enum") is True


def test_metadata_project_config_is_hasura_cli_v3() -> None:
    """Metadata project config is hasura cli v3.

    GIVEN hasura/config.yaml THEN it is a version 3 project whose metadata folder exists and
    whose action handlers default to ACTIONS_BASE_URL.
    """
    config = yaml_io.load(HASURA_DIR / "config.yaml")

    assert config["version"] == 3
    assert (HASURA_DIR / config["metadata_directory"] / "version.yaml").is_file()
    assert config["actions"]["handler_webhook_baseurl"] == "{{ACTIONS_BASE_URL}}"
