from __future__ import annotations

from datetime import UTC, datetime

from lambdas.post_authentication.logins import RECORD_LOGIN, login_row
from tests.lambdas.events import cognito_event


def test_login_row_sets_last_login_at_in_utc() -> None:
    """GIVEN a post-authentication event WHEN mapping it THEN the row carries the user and.

    the sign-in time as an ISO timestamp with offset.
    """
    event = cognito_event("post_authentication")
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    row = login_row(event["userName"], event["request"]["userAttributes"], now)
    assert row["id"] == "5f3c2a1e-8d4b-4a7e-9c6f-1b2d3e4f5a6b"
    assert row["last_login_at"] == "2026-11-21T12:00:00+00:00"


def test_record_login_only_updates_last_login_at_on_conflict() -> None:
    """GIVEN an existing user WHEN a sign-in is recorded THEN only last_login_at changes."""
    assert "update_columns: [last_login_at]" in RECORD_LOGIN
