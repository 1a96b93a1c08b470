from __future__ import annotations

import base64
import json
from typing import Any

from tests.auth.conftest import Client
from tests.auth.fixtures import TEST_CONFIRMATION_CODE
from tests.auth.flows import (
    CONFIRM,
    LOGIN,
    LOGOUT,
    PASSWORD,
    REFRESH,
    SIGNUP,
    USERS,
    error_code,
    new_email,
)


def signed_in(client: Client, email: str, name: str = "Ann") -> dict[str, Any]:
    signup = client.run(SIGNUP, {"email": email, "password": PASSWORD, "name": name})
    assert "errors" not in signup, signup
    confirm = client.run(CONFIRM, {"email": email, "code": TEST_CONFIRMATION_CODE})
    assert confirm == {"data": {"confirmSignup": {"ok": True}}}, confirm
    login = client.run(LOGIN, {"email": email, "password": PASSWORD})
    assert "errors" not in login, login
    tokens: dict[str, Any] = login["data"]["login"]
    return tokens


def test_signup_confirm_login_then_users_shows_only_the_callers_row(client: Client) -> None:
    """Signup confirm login then users shows only the callers row.

    GIVEN two users who signed up, confirmed (post-confirmation Lambda) and logged in WHEN each
    queries ``users`` with the ID token THEN each sees exactly their own row, with the sign-in time
    recorded (post-authentication Lambda); anonymous sees no users at all.
    """
    ann, bob = new_email(), new_email()
    ann_tokens = signed_in(client, ann, "Ann")
    bob_tokens = signed_in(client, bob, "Bob")
    ann_rows = client.run(USERS, token=ann_tokens["id_token"])["data"]["users"]
    bob_rows = client.run(USERS, token=bob_tokens["id_token"])["data"]["users"]
    assert [(r["email"], r["name"]) for r in ann_rows] == [(ann, "Ann")]
    assert [(r["email"], r["name"]) for r in bob_rows] == [(bob, "Bob")]
    assert ann_rows[0]["last_login_at"] is not None
    assert ann_rows[0]["id"] != bob_rows[0]["id"]
    anonymous = client.run(USERS)
    assert "data" not in anonymous
    assert error_code(anonymous) == "validation-failed"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return claims


def test_the_id_token_says_email_verified_after_confirmation(client: Client) -> None:
    """The ID token says email_verified after confirmation.

    GIVEN a user who signed up and confirmed with the emailed code WHEN logging in THEN the
    ID token says ``email_verified: true`` (as Cognito does for its auto-verified email).
    """
    email = new_email()
    tokens = signed_in(client, email)

    claims = _claims(tokens["id_token"])

    assert claims["email"] == email
    assert claims["email_verified"] is True


def test_refresh_gives_a_working_token_and_logout_revokes_it(client: Client) -> None:
    """Refresh gives a working token and logout revokes it.

    GIVEN a logged-in user WHEN refreshing THEN the new ID token queries ``users``; WHEN logging out
    THEN the refresh token no longer works (``invalid-refresh-token``).
    """
    email = new_email()
    tokens = signed_in(client, email)
    refreshed = client.run(REFRESH, {"token": tokens["refresh_token"]})
    new_token = refreshed["data"]["refreshToken"]["id_token"]
    assert client.run(USERS, token=new_token)["data"]["users"][0]["email"] == email
    out = client.run(LOGOUT, {"token": tokens["refresh_token"]}, token=tokens["id_token"])
    assert out == {"data": {"logout": {"ok": True}}}
    again = client.run(REFRESH, {"token": tokens["refresh_token"]})
    assert error_code(again) == "invalid-refresh-token"


def test_logout_is_not_offered_to_anonymous(client: Client) -> None:
    """GIVEN no token WHEN calling logout THEN the field does not exist for anonymous."""
    answer = client.run(LOGOUT, {"token": "x"})
    assert error_code(answer) == "validation-failed"


def test_each_user_error_has_its_own_code_through_the_engine(client: Client) -> None:
    """Each user error has its own code through the engine.

    GIVEN the engine in front of the action service WHEN a user gets the code, the password or the
    policy wrong, or logs in unconfirmed THEN each error code is passed through as a GraphQL error
    code.
    """
    email = new_email()
    weak = client.run(SIGNUP, {"email": email, "password": "weakpass", "name": "W"})
    assert error_code(weak) == "weak-password"
    client.run(SIGNUP, {"email": email, "password": PASSWORD, "name": "W"})
    unconfirmed = client.run(LOGIN, {"email": email, "password": PASSWORD})
    assert error_code(unconfirmed) == "user-not-confirmed"
    wrong_code = client.run(CONFIRM, {"email": email, "code": "000000"})
    assert error_code(wrong_code) == "invalid-code"
    client.run(CONFIRM, {"email": email, "code": TEST_CONFIRMATION_CODE})
    wrong_password = client.run(LOGIN, {"email": email, "password": "Wr0ng-password"})
    assert error_code(wrong_password) == "invalid-credentials"
    assert wrong_password["errors"][0]["message"] == "Incorrect email or password."
    exists = client.run(SIGNUP, {"email": email, "password": PASSWORD, "name": "W"})
    assert error_code(exists) == "user-exists"


def test_login_rate_limit_through_the_engine(client: Client) -> None:
    """Login rate limit through the engine.

    GIVEN 10 failed logins from one client address (forwarded by the engine) WHEN the 11th arrives
    THEN ``rate-limited``.
    """
    codes = [error_code(client.run(LOGIN, {"email": new_email(), "password": "Wr0ng-pass1"}))
             for _ in range(11)]
    assert codes[:10] == ["invalid-credentials"] * 10
    assert codes[10] == "rate-limited"
