from __future__ import annotations

import difflib

import pytest

from devstack.hasura_project import role_schema
from devstack.paths import HASURA_DIR
from tests.hasura.conftest import HasuraTarget


@pytest.mark.parametrize("role", role_schema.ROLES)
def test_role_schema_committed_matches_what_the_engine_serves(
    hasura: HasuraTarget, role: str
) -> None:
    """Role schema committed matches what the engine serves.

    GIVEN the engine with hasura/metadata applied WHEN the schema a role sees is introspected
    THEN it is exactly hasura/schema/<role>.graphql (a metadata or engine change that alters
    the API shows up as a diff of that file; regenerate it with
    `devstack metadata export-schema`).
    """
    committed = role_schema.schema_path(HASURA_DIR, role).read_text()

    served = role_schema.fetch_sdl(hasura.base_url, hasura.admin_secret, role)

    diff = "".join(difflib.unified_diff(
        committed.splitlines(keepends=True), served.splitlines(keepends=True),
        f"hasura/schema/{role}.graphql (committed)", f"{role} (served)", n=1,
    ))
    assert served == committed, (
        f"the {role} schema changed; review and run `devstack metadata export-schema`:\n"
        + diff[:4000]
    )


def test_role_schema_anonymous_sees_no_customer_data() -> None:
    """Role schema anonymous sees no customer data.

    GIVEN the committed anonymous schema THEN it has no type for customer tables.
    """
    sdl = role_schema.schema_path(HASURA_DIR, "anonymous").read_text()

    for table in ("users", "accounts", "transactions", "wallets", "profiles"):
        assert f"type {table} {{" not in sdl, table
    assert "type crypto_prices {" in sdl
