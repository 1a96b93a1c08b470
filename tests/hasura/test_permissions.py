from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.hasura.conftest import HasuraTarget

ALICE = "4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11"
BOB = "8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22"
CAROL = "c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33"
HOUSEHOLD_SAVINGS = "a1000000-0000-4000-8000-000000000002"
PERSONAL_LOAN = "c1000000-0000-4000-8000-000000000002"
RETIRED_CARD = "c1000000-0000-4000-8000-000000000004"


def _graphql(
    hasura: HasuraTarget, query: str, variables: dict[str, Any] | None = None,
    role: str | None = None, user_id: str | None = None,
) -> dict[str, Any]:
    """A request as ``role`` (the admin secret lets a test pick the role, as in Hasura)."""
    headers = {}
    if role is not None:
        headers = {"X-Hasura-Admin-Secret": hasura.admin_secret, "X-Hasura-Role": role}
        if user_id is not None:
            headers["X-Hasura-User-Id"] = user_id
    response = httpx.post(hasura.graphql_url, json={"query": query, "variables": variables or {}},
                          headers=headers, timeout=30)
    body: dict[str, Any] = response.json()
    return body


def _as_user(hasura: HasuraTarget, user_id: str, query: str,
             variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return _graphql(hasura, query, variables, role="user", user_id=user_id)


def test_permissions_anonymous_reads_prices_and_products(hasura: HasuraTarget) -> None:
    """Permissions anonymous reads prices and products.

    GIVEN no credentials WHEN asking for assets, prices and credit products THEN they come back
    (active products only).
    """
    body = _graphql(hasura, "{ crypto_assets(order_by: {symbol: asc}) { symbol } "
                            "crypto_prices(limit: 1) { price } credit_products { code } }")

    assert "errors" not in body, body
    assert [a["symbol"] for a in body["data"]["crypto_assets"]] == ["BTC", "ETH", "SOL"]
    assert len(body["data"]["crypto_prices"]) == 1
    assert "CARD-GOLD-2019" not in {p["code"] for p in body["data"]["credit_products"]}


@pytest.mark.parametrize("root", ["users", "accounts", "transactions", "wallets"])
def test_permissions_anonymous_cannot_see_customer_data(hasura: HasuraTarget, root: str) -> None:
    """Permissions anonymous cannot see customer data.

    GIVEN no credentials WHEN asking for a customer table THEN the field does not exist for them.
    """
    body = _graphql(hasura, f"{{ {root} {{ __typename }} }}")

    assert "errors" in body
    assert "data" not in body or body["data"] is None


def test_permissions_user_sees_only_accounts_they_hold(hasura: HasuraTarget) -> None:
    """Permissions user sees only accounts they hold.

    GIVEN Bob, joint holder of the household savings WHEN he lists accounts and transactions
    THEN he sees his own and the joint account, with their transactions, and none of Alice's
    own account.
    """
    body = _as_user(hasura, BOB, "{ accounts(order_by: {number: asc}) { id number } "
                                 "transactions { account_id } }")

    assert "errors" not in body, body
    accounts = {a["id"] for a in body["data"]["accounts"]}
    assert accounts == {HOUSEHOLD_SAVINGS, "a1000000-0000-4000-8000-000000000003"}
    assert {t["account_id"] for t in body["data"]["transactions"]} <= accounts
    assert len(body["data"]["transactions"]) == 4


def test_permissions_user_sees_only_their_own_user_row(hasura: HasuraTarget) -> None:
    """Permissions user sees only their own user row.

    GIVEN Carol WHEN she lists users and wallets THEN only her row and no wallet of others.
    """
    body = _as_user(hasura, CAROL, "{ users { id } wallets { user_id } }")

    assert "errors" not in body, body
    assert body["data"] == {"users": [{"id": CAROL}], "wallets": []}


def test_permissions_user_application_is_preset_to_the_session_user(
    hasura: HasuraTarget,
) -> None:
    """Permissions user application is preset to the session user.

    GIVEN Carol WHEN she applies for an active product THEN the row is hers and PENDING,
    whatever the client sends.
    """
    body = _as_user(
        hasura, CAROL,
        "mutation($p: uuid!) { insert_credit_product_applications_one("
        "object: {credit_product_id: $p, requested_amount: 2500}) { user_id status } }",
        {"p": PERSONAL_LOAN},
    )

    assert "errors" not in body, body
    assert body["data"]["insert_credit_product_applications_one"] == {
        "user_id": CAROL, "status": "PENDING",
    }


def test_permissions_user_cannot_apply_in_someone_elses_name(hasura: HasuraTarget) -> None:
    """Permissions user cannot apply in someone else's name.

    GIVEN Carol WHEN she sends another user's id in an application THEN the engine refuses the
    column (it is preset, not insertable).
    """
    body = _as_user(
        hasura, CAROL,
        "mutation($p: uuid!, $u: String!) { insert_credit_product_applications_one("
        "object: {credit_product_id: $p, requested_amount: 2500, user_id: $u}) { id } }",
        {"p": PERSONAL_LOAN, "u": ALICE},
    )

    assert "errors" in body
    assert not (body.get("data") or {}).get("insert_credit_product_applications_one")


def test_permissions_user_cannot_apply_for_a_retired_product(hasura: HasuraTarget) -> None:
    """Permissions user cannot apply for a retired product.

    GIVEN an inactive credit product WHEN a user applies for it THEN the insert check fails.
    """
    body = _as_user(
        hasura, ALICE,
        "mutation($p: uuid!) { insert_credit_product_applications_one("
        "object: {credit_product_id: $p, requested_amount: 2500}) { id } }",
        {"p": RETIRED_CARD},
    )

    assert "errors" in body
    assert not (body.get("data") or {}).get("insert_credit_product_applications_one")


def test_permissions_user_updates_reach_only_their_own_rows(hasura: HasuraTarget) -> None:
    """Permissions user updates reach only their own rows.

    GIVEN Carol WHEN she updates every profile she can reach THEN only her own changes, and
    Alice's stays as it was.
    """
    body = _as_user(hasura, CAROL, 'mutation { update_profiles(where: {}, '
                                   '_set: {city: "Evanston"}) { affected_rows } }')
    alice = _as_user(hasura, ALICE, "{ profiles { city } }")

    assert "errors" not in body, body
    assert body["data"]["update_profiles"]["affected_rows"] == 1
    assert alice["data"]["profiles"] == [{"city": "San Francisco"}]
