"""Each role, table and operation of the core schema, and rows of other users.

Expected access comes from the project's metadata (hasura/): anonymous reads public product
and price data only; a user reads their own rows, inserts credit applications and profiles
for themself, updates their own name and profile; nobody but admin deletes.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.security.conftest import ALICE, BOB, CoreEngine

TABLES = ["account_users", "accounts", "credit_application_status",
          "credit_product_applications", "credit_products", "crypto_assets", "crypto_prices",
          "profiles", "transactions", "users", "wallets"]
ALLOWED = {
    ("anonymous", "select"): {"credit_products", "crypto_assets", "crypto_prices"},
    ("user", "select"): set(TABLES),
    ("user", "insert"): {"credit_product_applications", "profiles"},
    ("user", "update"): {"users", "profiles"},
}
OPERATIONS = {
    "select": "query {{ {t}(limit: 1) {{ __typename }} }}",
    "insert": "mutation {{ insert_{t}(objects: []) {{ affected_rows }} }}",
    "update": "mutation {{ update_{t}(where: {{}}) {{ affected_rows }} }}",
    "delete": "mutation {{ delete_{t}(where: {{}}) {{ affected_rows }} }}",
}
MATRIX = [(role, table, op) for role in ("anonymous", "user") for table in TABLES
          for op in OPERATIONS]


def call(core: CoreEngine, role: str, query: str) -> Any:
    if role == "anonymous":
        return core.as_anonymous(query)
    return core.as_user(query)


def is_validation_error(body: Any) -> bool:
    return (isinstance(body, dict) and body.get("data") is None and bool(body.get("errors"))
            and body["errors"][0]["extensions"]["code"] == "validation-failed")


ROOT_FIELDS = {"select": "{t}", "insert": "insert_{t}", "update": "update_{t}",
               "delete": "delete_{t}"}
SCHEMA_FIELDS = """{ q: __type(name: "query_root") { fields { name } }
                     m: __type(name: "mutation_root") { fields { name } } }"""


@pytest.fixture(scope="module")
def root_fields(core: CoreEngine) -> dict[str, set[str]]:
    """The root fields each role's schema offers (read by introspection as that role)."""
    found = {}
    for role in ("anonymous", "user"):
        data = call(core, role, SCHEMA_FIELDS)["data"]
        found[role] = {f["name"] for part in ("q", "m") if data[part]
                       for f in data[part]["fields"]}
    return found


@pytest.mark.parametrize(("role", "table", "op"), MATRIX,
                         ids=[f"{r}-{t}-{o}" for r, t, o in MATRIX])
def test_matrix_role_sees_exactly_the_operations_it_is_granted(
    core: CoreEngine, root_fields: dict[str, set[str]], role: str, table: str, op: str,
) -> None:
    """Matrix role sees exactly the operations it is granted.

    GIVEN a role, a table and an operation WHEN the role's schema is read and the operation
    is used THEN the root field exists exactly when the metadata grants it; when it does not,
    using it is a validation error with no data.
    """
    allowed = table in ALLOWED.get((role, op), set())
    assert (ROOT_FIELDS[op].format(t=table) in root_fields[role]) == allowed
    if not allowed:
        body = call(core, role, OPERATIONS[op].format(t=table))
        assert is_validation_error(body), body


def test_admin_secret_reaches_every_table(core: CoreEngine) -> None:
    """Admin secret reaches every table.

    GIVEN the admin secret WHEN each table is counted THEN every one answers.
    """
    for table in TABLES:
        body = core.as_admin(f"{{ {table}_aggregate {{ aggregate {{ count }} }} }}")
        assert "errors" not in body, body


def test_user_reads_only_their_own_user_profile_and_wallets(core: CoreEngine) -> None:
    """User reads only their own user profile and wallets.

    GIVEN Alice's token WHEN she lists users, profiles, wallets and credit applications THEN
    every row is hers.
    """
    body = core.as_user("""{ users { id } profiles { user_id } wallets { user_id }
                             credit_product_applications { user_id } }""")
    assert "errors" not in body, body
    data = body["data"]
    assert [row["id"] for row in data["users"]] == [ALICE]
    assert {row["user_id"] for row in data["profiles"]} == {ALICE}
    assert {row["user_id"] for row in data["wallets"]} == {ALICE}
    assert {row["user_id"] for row in data["credit_product_applications"]} == {ALICE}


def test_user_reads_accounts_and_transactions_only_through_holding(core: CoreEngine) -> None:
    """User reads accounts and transactions only through holding.

    GIVEN Bob holds accounts 2 (joint) and 3 WHEN he lists accounts and transactions THEN he
    sees those two accounts and only their transactions.
    """
    body = core.as_user("{ accounts { id } transactions { account_id } }", user_id=BOB)
    accounts = {row["id"] for row in body["data"]["accounts"]}
    assert accounts == {"a1000000-0000-4000-8000-000000000002",
                        "a1000000-0000-4000-8000-000000000003"}
    assert {row["account_id"] for row in body["data"]["transactions"]} <= accounts


def test_user_cannot_fetch_another_users_row_by_primary_key(core: CoreEngine) -> None:
    """User cannot fetch another users row by primary key.

    GIVEN Alice's token WHEN she asks for Bob's user, wallet and account by key THEN null.
    """
    body = core.as_user(f"""{{
        users_by_pk(id: "{BOB}") {{ id email }}
        wallets_by_pk(id: "b1000000-0000-4000-8000-000000000003") {{ id }}
        accounts_by_pk(id: "a1000000-0000-4000-8000-000000000003") {{ id }}
    }}""")
    assert body == {"data": {"users_by_pk": None, "wallets_by_pk": None,
                             "accounts_by_pk": None}}


def test_user_filter_cannot_widen_the_permission(core: CoreEngine) -> None:
    """User filter cannot widen the permission.

    GIVEN Alice's token WHEN she filters users with _or on Bob's id, or through relationships
    THEN still only her own row comes back.
    """
    body = core.as_user(f"""{{ users(where: {{_or: [{{id: {{_eq: "{BOB}"}}}},
                                                   {{id: {{_neq: "x"}}}}]}}) {{ id }} }}""")
    assert body["data"]["users"] == [{"id": ALICE}]


def test_user_cannot_update_another_users_row(core: CoreEngine) -> None:
    """User cannot update another users row.

    GIVEN Alice's token WHEN she updates Bob's name and Bob's profile THEN nothing is
    affected and Bob's data is unchanged.
    """
    before = core.as_admin(f'{{ users_by_pk(id: "{BOB}") {{ name }} }}')
    body = core.as_user(f"""mutation {{
        update_users(where: {{id: {{_eq: "{BOB}"}}}}, _set: {{name: "pwned"}}) {{ affected_rows }}
        update_profiles(where: {{user_id: {{_eq: "{BOB}"}}}}, _set: {{city: "pwned"}}) {{
            affected_rows }}
    }}""")
    assert body == {"data": {"update_users": {"affected_rows": 0},
                             "update_profiles": {"affected_rows": 0}}}
    assert core.as_admin(f'{{ users_by_pk(id: "{BOB}") {{ name }} }}') == before


def test_user_cannot_update_columns_outside_the_permission(core: CoreEngine) -> None:
    """User cannot update columns outside the permission.

    GIVEN the user update permission on users allows only name WHEN Alice sets her email or
    id THEN a validation error and nothing changes.
    """
    body = core.as_user(f"""mutation {{ update_users(where: {{id: {{_eq: "{ALICE}"}}}},
        _set: {{email: "evil@example.com"}}) {{ affected_rows }} }}""")
    assert is_validation_error(body), body
    assert core.as_admin(f'{{ users_by_pk(id: "{ALICE}") {{ email }} }}') == {
        "data": {"users_by_pk": {"email": "alice@example.com"}}}


def test_user_cannot_insert_rows_for_another_user(core: CoreEngine) -> None:
    """User cannot insert rows for another user.

    GIVEN user_id is preset from the session WHEN Alice names Bob as user_id in a credit
    application or a profile THEN a validation error (the column is not hers to set).
    """
    body = core.as_user(f"""mutation {{ insert_credit_product_applications(objects: [{{
        user_id: "{BOB}", credit_product_id: "c1000000-0000-4000-8000-000000000001",
        requested_amount: 1000}}]) {{ affected_rows }} }}""")
    assert is_validation_error(body), body
    body = core.as_user(f"""mutation {{ insert_profiles_one(object: {{user_id: "{BOB}",
        city: "x"}}) {{ user_id }} }}""")
    assert is_validation_error(body), body


def test_user_insert_is_stamped_with_their_own_id(core: CoreEngine) -> None:
    """User insert is stamped with their own id.

    GIVEN the insert preset user_id = X-Hasura-User-Id WHEN Bob applies for a product THEN
    the row is his and PENDING whatever he sends.
    """
    body = core.as_user("""mutation { insert_credit_product_applications_one(object: {
        credit_product_id: "c1000000-0000-4000-8000-000000000002", requested_amount: 2500})
        { user_id status } }""", user_id=BOB)
    assert body == {"data": {"insert_credit_product_applications_one": {
        "user_id": BOB, "status": "PENDING"}}}


def test_user_insert_check_refuses_an_inactive_product(core: CoreEngine) -> None:
    """User insert check refuses an inactive product.

    GIVEN the check requires an active product WHEN Alice applies for the retired one THEN a
    permission error and no row.
    """
    query = """{ credit_product_applications_aggregate { aggregate { count } } }"""
    before = core.as_admin(query)
    body = core.as_user("""mutation { insert_credit_product_applications_one(object: {
        credit_product_id: "c1000000-0000-4000-8000-000000000004", requested_amount: 2500})
        { id } }""")
    assert body.get("data") is None, body
    assert body["errors"], body
    assert core.as_admin(query) == before


def test_anonymous_reads_public_data_but_no_inactive_products(core: CoreEngine) -> None:
    """Anonymous reads public data but no inactive products.

    GIVEN no credentials WHEN products and prices are listed THEN active products only and
    prices.
    """
    body = core.as_anonymous("{ credit_products { code } crypto_prices(limit: 2) { price } }")
    codes = {row["code"] for row in body["data"]["credit_products"]}
    assert codes == {"CARD-CLASSIC", "LOAN-PERSONAL", "LOAN-AUTO"}
    assert len(body["data"]["crypto_prices"]) == 2


def test_user_cannot_use_aggregates_where_not_allowed(core: CoreEngine) -> None:
    """User cannot use aggregates where not allowed.

    GIVEN no allow_aggregations on users WHEN Alice asks for users_aggregate THEN a
    validation error (counts would leak how many users exist).
    """
    assert is_validation_error(core.as_user("{ users_aggregate { aggregate { count } } }"))
