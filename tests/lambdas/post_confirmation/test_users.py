from __future__ import annotations

from typing import Any

import pytest

from lambdas.post_confirmation.users import UPSERT_USER, save_user, user_row
from tests.lambdas.events import cognito_event


class RecordingClient:
    """Stands in for the GraphQL client in a pure unit test of the mapping."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((document, variables))
        return {"insert_users_one": {"id": variables["user"]["id"]}}


def test_user_row_uses_sub_email_and_name() -> None:
    """GIVEN a confirmation event WHEN mapping it THEN id = sub, email and name come along."""
    attributes = cognito_event("post_confirmation")["request"]["userAttributes"]
    assert user_row("ignored-username", attributes) == {
        "id": "5f3c2a1e-8d4b-4a7e-9c6f-1b2d3e4f5a6b",
        "email": "ada@example.com",
        "name": "Ada Lovelace",
    }


def test_user_row_without_name_uses_the_email_local_part() -> None:
    """GIVEN no name attribute WHEN mapping THEN the name is the email's local part."""
    assert user_row("u1", {"email": "bob@example.com"})["name"] == "bob"


def test_user_row_without_email_is_refused() -> None:
    """GIVEN no email WHEN mapping THEN a ValueError (users.email is NOT NULL)."""
    with pytest.raises(ValueError, match="email"):
        user_row("u1", {"sub": "u1"})


def test_save_user_sends_values_as_variables_not_in_the_document() -> None:
    """GIVEN a row with quotes in the name WHEN saved THEN the document is the fixed upsert.

    on users_pkey and the values travel only as variables.
    """
    client = RecordingClient()
    row = {"id": "u1", "email": "o'brien@example.com", "name": 'x" } mutation {'}
    assert save_user(client, row) == "u1"
    document, variables = client.calls[0]
    assert document == UPSERT_USER
    assert "users_pkey" in document
    assert "o'brien" not in document
    assert variables == {"user": row}
