"""SQL injection attempts in every argument position, and malformed requests.

Values and session variables must reach PostgreSQL as bound parameters: whatever they
hold, the answer is either the rows the permission allows or an error, never a 500,
never another user's row, and the tables are still there afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.security.conftest import ALICE, BOB, CoreEngine

PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "\" OR \"\"=\"",
    "x') UNION SELECT id, email FROM users --",
    "%' OR 1=1 --",
    "\\'; SELECT pg_sleep(5); --",
    "$1",
    "'::text) OR true OR ('",
]


def assert_safe(body: Any) -> None:
    """No other user's row in the answer (a dict with data and/or errors)."""
    assert isinstance(body, dict), body
    assert BOB not in str(body), body
    assert "bob@example.com" not in str(body), body


def assert_tables_intact(core: CoreEngine) -> None:
    body = core.as_admin("{ users_aggregate { aggregate { count } } }")
    assert body == {"data": {"users_aggregate": {"aggregate": {"count": 3}}}}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_filter_values(core: CoreEngine, payload: str) -> None:
    """Injection in filter values.

    GIVEN a hostile string WHEN it is used as _eq, _neq, _like, _ilike, _regex, _in and
    _similar values (inline and as variables) THEN no other user's row and no 500.
    """
    for operator in ("_eq", "_neq", "_like", "_ilike", "_nlike", "_regex", "_similar"):
        assert_safe(core.as_user(
            "query($v: String!) { users(where: {email: {" + operator + ": $v}}) { id email } }",
            {"v": payload}))
    assert_safe(core.as_user(
        "query($v: [String!]!) { users(where: {id: {_in: $v}}) { id } }", {"v": [payload, BOB]}))
    inline = payload.replace("\\", "\\\\").replace('"', '\\"')
    assert_safe(core.as_user(f'{{ users(where: {{name: {{_eq: "{inline}"}}}}) {{ id }} }}'))
    assert_tables_intact(core)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_session_variables(core: CoreEngine, payload: str) -> None:
    """Injection in session variables.

    GIVEN the admin secret acting as role user with a hostile X-Hasura-User-Id, and a token
    whose user id claim is hostile WHEN users are listed THEN no rows at all, no 500.
    """
    headers = core.handle.admin_headers(X_Hasura_Role="user", X_Hasura_User_Id=payload)
    body = core.post({"query": "{ users { id } wallets { id } accounts { id } }"},
                     headers).json()
    assert body == {"data": {"users": [], "wallets": [], "accounts": []}}
    response = core.post({"query": "{ users { id } }"},
                         {"Authorization": f"Bearer {core.token(user_id=payload)}"})
    assert response.json() == {"data": {"users": []}}
    assert_tables_intact(core)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_mutation_values(core: CoreEngine, payload: str) -> None:
    """Injection in mutation values.

    GIVEN Alice's token WHEN a hostile string is her new name (as variable) THEN it is stored
    verbatim, only her row is touched, and nothing else happens.
    """
    body = core.as_user("""mutation($n: String!, $id: String!) {
        update_users(where: {id: {_eq: $id}}, _set: {name: $n}) { affected_rows
            returning { name } } }""", {"n": payload, "id": ALICE})
    assert body == {"data": {"update_users": {"affected_rows": 1,
                                              "returning": [{"name": payload}]}}}
    assert core.as_admin(f'{{ users_by_pk(id: "{BOB}") {{ name }} }}') == {
        "data": {"users_by_pk": {"name": "Bob Nguyen"}}}
    core.as_admin(f'mutation {{ update_users_by_pk(pk_columns: {{id: "{ALICE}"}}, '
                  '_set: {name: "Alice Martin"}) { id } }')
    assert_tables_intact(core)


@pytest.mark.parametrize("query", [
    '{ users(order_by: {email: "asc; DROP TABLE users"}) { id } }',
    "{ users(order_by: {email: asc_drop}) { id } }",
    '{ users(limit: "1; DROP TABLE users") { id } }',
    "{ users(limit: -1) { id } }",
    '{ users(offset: "0) OR 1=1 --") { id } }',
    "{ users(distinct_on: [id, email_drop]) { id } }",
    '{ users(where: {"email; DROP": {_eq: "x"}}) { id } }',
    '{ users(where: {email: {_drop: "x"}}) { id } }',
    '{ "users; drop table users" { id } }',
    '{ crypto_prices(where: {price: {_gt: "1 OR 1=1"}}) { id } }',
    '{ crypto_prices(where: {minute: {_gt: "now()); DROP TABLE users; --"}}) { id } }',
])
def test_injection_in_argument_structure_is_a_validation_error(core: CoreEngine,
                                                               query: str) -> None:
    """Injection in argument structure is a validation error.

    GIVEN hostile text where GraphQL expects an enum, a number, a column or an operator WHEN
    sent THEN an error (validation or parse), never data, never a 500.
    """
    body = core.as_user(query)
    assert_safe(body)
    assert body.get("data") is None, body
    assert body["errors"], body
    assert_tables_intact(core)


@pytest.mark.parametrize("body", [
    {"query": "{ users { id "},
    {"query": ""},
    {"query": 42},
    {"query": None},
    {},
    {"query": "{ users { id } }", "variables": "not an object"},
    {"query": "{ users { id } }", "variables": [1, 2]},
    {"query": "query($id: String!) { users_by_pk(id: $id) { id } }", "variables": {}},
    {"query": "query($id: String!) { users_by_pk(id: $id) { id } }",
     "variables": {"id": {"_neq": ""}}},
    {"query": "query($n: Int!) { users(limit: $n) { id } }", "variables": {"n": "1 OR 1=1"}},
    {"query": "query A { users { id } } query B { users { email } }"},
    {"query": "query A { users { id } }", "operationName": "Nope"},
    {"query": "{ users { id } }", "operationName": 7},
    {"query": "subscription { users { id } }"},
    {"query": "{ users { no_such_column } }"},
    {"query": '{ users { id, email @include(if: "true OR 1=1") } }'},
    {"query": "{ __schema { types { name } } users { id } ...F } fragment F on nothing { x }"},
    {"query": "{" * 300 + "}" * 300},
    "just a string",
    [],
    [{"query": "{ users { id } }"}, "junk"],
])
def test_malformed_requests_never_fail_with_500(core: CoreEngine, body: Any) -> None:
    """Malformed requests never fail with 500.

    GIVEN a malformed GraphQL document, operation name or variables WHEN sent as a user THEN
    a 2xx or 4xx answer in Hasura's error shape, no other user's row.
    """
    response = core.post(body, {"Authorization": f"Bearer {core.token()}"})
    assert response.status_code < 500
    answer = response.json()
    assert BOB not in str(answer)
    if isinstance(answer, dict) and "errors" in answer:
        assert {"message", "extensions"} <= set(answer["errors"][0])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_in_keys_inserts_and_typed_values(core: CoreEngine, payload: str) -> None:
    """Injection in keys inserts and typed values.

    GIVEN a hostile string WHEN it is a primary key, a uuid, a numeric, an insert value or an
    on_conflict constraint THEN null, an error or the literal value, never a 500 or a leak.
    """
    variables = {"v": payload}
    assert core.as_user("query($v: String!) { users_by_pk(id: $v) { id } }", variables) == {
        "data": {"users_by_pk": None}}
    for query in (
        "query($v: uuid!) { accounts_by_pk(id: $v) { id } }",
        "query($v: numeric!) { crypto_prices(where: {price: {_gt: $v}}) { id } }",
        "query($v: timestamptz!) { crypto_prices(where: {minute: {_lt: $v}}) { id } }",
        """mutation($v: numeric!) { insert_credit_product_applications_one(object: {
            credit_product_id: "c1000000-0000-4000-8000-000000000001",
            requested_amount: $v}) { id } }""",
        """mutation($v: String!) { insert_profiles_one(object: {city: $v},
            on_conflict: {constraint: profiles_pkey, update_columns: [city]}) { city } }""",
    ):
        assert_safe(core.as_user(query, variables))
    body = core.as_user("""mutation { insert_profiles_one(object: {city: "x"},
        on_conflict: {constraint: "profiles_pkey; DROP TABLE users", update_columns: []})
        { city } }""")
    assert body.get("data") is None, body
    assert_tables_intact(core)
