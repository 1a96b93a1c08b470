"""The action service over HTTP, on a real cognito-local and Redis (no engine)."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.actions.conftest import ActionCall
from tests.auth.fixtures import TEST_CONFIRMATION_CODE

PASSWORD = "Corr3ct-horse"


def signed_up(call_action: ActionCall, email: str, confirm: bool = True) -> None:
    assert call_action("signup", {"email": email, "password": PASSWORD, "name": "Ann"}
                       ).status_code == 200
    if confirm:
        response = call_action("confirmSignup", {"email": email, "code": TEST_CONFIRMATION_CODE})
        assert response.status_code == 200, response.text


def test_app_refuses_calls_without_the_shared_secret(
    call_action: ActionCall, new_email: str
) -> None:
    """GIVEN a call without / with a wrong X-Action-Secret.

    WHEN it reaches the service
    THEN it is refused with 401 ``access-denied`` before any work.
    """
    for secret in ("", "wrong-secret"):
        response = call_action("signup", {"email": new_email, "password": PASSWORD, "name": "A"},
                               secret=secret)
        assert response.status_code == 401
        assert response.json()["extensions"]["code"] == "access-denied"


def test_app_answers_invalid_input_without_echoing_it(call_action: ActionCall) -> None:
    """GIVEN a signup whose email is malformed and with an unknown field.

    WHEN it is called
    THEN 400 ``invalid-input`` names the fields, never the password.
    """
    response = call_action("signup", {"email": "not-an-email", "password": "S3cret-value",
                                      "name": "A", "admin": True})
    assert response.status_code == 400
    body = response.json()
    assert body["extensions"]["code"] == "invalid-input"
    assert "email" in body["message"]
    assert "admin" in body["message"]
    assert "S3cret-value" not in response.text


def test_app_answers_unknown_action(call_action: ActionCall) -> None:
    """GIVEN an action name the service does not have.

    WHEN it is called
    THEN 404 ``unknown-action``.
    """
    response = call_action("dropDatabase", {})
    assert response.status_code == 404
    assert response.json()["extensions"]["code"] == "unknown-action"


def test_signup_refuses_weak_password(call_action: ActionCall, new_email: str) -> None:
    """GIVEN a password without an upper-case letter or a number.

    WHEN signing up
    THEN 400 ``weak-password`` says what is missing.
    """
    response = call_action("signup", {"email": new_email, "password": "alllowercase",
                                      "name": "Ann"})
    assert response.status_code == 400
    body = response.json()
    assert body["extensions"]["code"] == "weak-password"
    assert "upper-case" in body["message"]
    assert "number" in body["message"]


def test_signup_then_login_returns_tokens(call_action: ActionCall, new_email: str) -> None:
    """GIVEN a user who signed up and confirmed.

    WHEN logging in
    THEN the answer holds ID, access and refresh tokens, expiry and type.
    """
    response = call_action("signup", {"email": new_email, "password": PASSWORD, "name": "Ann"})
    assert response.status_code == 200, response.text
    assert response.json()["confirmed"] is False
    assert response.json()["user_id"]
    signed_up_confirm = call_action("confirmSignup",
                                    {"email": new_email, "code": TEST_CONFIRMATION_CODE})
    assert signed_up_confirm.json() == {"ok": True}
    tokens = call_action("login", {"email": new_email.upper(), "password": PASSWORD}).json()
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in",
                           "token_type"}
    assert tokens["id_token"].count(".") == 2
    assert tokens["expires_in"] > 0
    assert tokens["token_type"] == "Bearer"


def test_signup_twice_answers_user_exists(call_action: ActionCall, new_email: str) -> None:
    """GIVEN an email that already has an account.

    WHEN signing up again
    THEN 400 ``user-exists``.
    """
    signed_up(call_action, new_email, confirm=False)
    response = call_action("signup", {"email": new_email, "password": PASSWORD, "name": "B"})
    assert response.status_code == 400
    assert response.json()["extensions"]["code"] == "user-exists"


def test_confirm_signup_with_wrong_code_answers_invalid_code(call_action: ActionCall,
                                                             new_email: str) -> None:
    """GIVEN an unconfirmed user.

    WHEN confirming with a wrong code
    THEN 400 ``invalid-code``.
    """
    signed_up(call_action, new_email, confirm=False)
    response = call_action("confirmSignup", {"email": new_email, "code": "000000"})
    assert response.status_code == 400
    assert response.json()["extensions"]["code"] == "invalid-code"


def test_login_of_unconfirmed_user_answers_user_not_confirmed(call_action: ActionCall,
                                                              new_email: str) -> None:
    """GIVEN a user who has not confirmed the email.

    WHEN logging in with the right password
    THEN 403 ``user-not-confirmed``.
    """
    signed_up(call_action, new_email, confirm=False)
    response = call_action("login", {"email": new_email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["extensions"]["code"] == "user-not-confirmed"


def test_login_answers_the_same_for_wrong_password_and_unknown_user(call_action: ActionCall,
                                                                    new_email: str) -> None:
    """GIVEN a confirmed user.

    WHEN logging in with a wrong password, and as an unknown email
    THEN both answer 401 ``invalid-credentials`` with the same message.
    """
    signed_up(call_action, new_email)
    wrong = call_action("login", {"email": new_email, "password": "Wr0ng-password"})
    unknown = call_action("login", {"email": "nobody-" + new_email, "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["extensions"]["code"] == "invalid-credentials"


def test_refresh_token_gives_new_tokens_and_logout_revokes_it(call_action: ActionCall,
                                                              new_email: str) -> None:
    """GIVEN a logged-in user.

    WHEN refreshing, then logging out, then refreshing again
    THEN the first refresh gives new tokens and the last one ``invalid-refresh-token``.
    """
    signed_up(call_action, new_email)
    tokens = call_action("login", {"email": new_email, "password": PASSWORD}).json()
    refreshed = call_action("refreshToken", {"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["id_token"].count(".") == 2
    assert refreshed.json()["refresh_token"] == tokens["refresh_token"]
    out = call_action("logout", {"refresh_token": tokens["refresh_token"]}, role="user",
                      user_id=_user_id(tokens))
    assert out.json() == {"ok": True}
    again = call_action("refreshToken", {"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    assert again.json()["extensions"]["code"] == "invalid-refresh-token"


def _user_id(tokens: dict[str, Any]) -> str:
    """The user id of a login's ID token.

    That is the Hasura claim when a pre-token Lambda ran, else ``sub`` (this pool has none).
    """
    part = tokens["id_token"].split(".")[1]
    payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    claims = payload.get("https://hasura.io/jwt/claims")
    return str(json.loads(claims)["x-hasura-user-id"] if claims else payload["sub"])


def test_logout_refuses_another_users_refresh_token(call_action: ActionCall,
                                                    new_email: str) -> None:
    """Logout refuses another users refresh token.

    GIVEN user A's refresh token WHEN user B calls logout with it THEN 401
    invalid-refresh-token (the same answer as for a bad token), and A's token still works.
    """
    signed_up(call_action, new_email)
    tokens = call_action("login", {"email": new_email, "password": PASSWORD}).json()
    out = call_action("logout", {"refresh_token": tokens["refresh_token"]}, role="user",
                      user_id="somebody-else")
    assert out.status_code == 401
    assert out.json()["extensions"]["code"] == "invalid-refresh-token"
    still = call_action("refreshToken", {"refresh_token": tokens["refresh_token"]})
    assert still.status_code == 200, still.text


def test_logout_needs_a_signed_in_caller(call_action: ActionCall) -> None:
    """GIVEN an anonymous caller.

    WHEN calling logout
    THEN 401 ``not-authenticated``.
    """
    response = call_action("logout", {"refresh_token": "x"})
    assert response.status_code == 401
    assert response.json()["extensions"]["code"] == "not-authenticated"


def test_login_is_rate_limited_per_email(call_action: ActionCall, new_email: str) -> None:
    """GIVEN 10 login attempts for one email within 5 minutes, from different addresses.

    WHEN an 11th arrives
    THEN it is refused with 429 ``rate-limited`` and a retry delay, without asking Cognito.
    """
    for attempt in range(10):
        response = call_action("login", {"email": new_email, "password": "Wr0ng-password"},
                               ip=f"192.0.2.{attempt + 1}")
        assert response.json()["extensions"]["code"] == "invalid-credentials"
    response = call_action("login", {"email": new_email, "password": "Wr0ng-password"},
                           ip="192.0.2.200")
    assert response.status_code == 429
    body = response.json()
    assert body["extensions"]["code"] == "rate-limited"
    assert 0 < body["extensions"]["retry_after"] <= 300


def test_login_is_rate_limited_per_client_address(call_action: ActionCall, new_email: str) -> None:
    """GIVEN 10 login attempts from one address for different emails.

    WHEN an 11th arrives from that address
    THEN 429 ``rate-limited``; another address is still served.
    """
    for attempt in range(10):
        call_action("login", {"email": f"{attempt}-{new_email}", "password": "Wr0ng-pass1"},
                    ip="198.51.100.7")
    blocked = call_action("login", {"email": f"x-{new_email}", "password": "Wr0ng-pass1"},
                          ip="198.51.100.7")
    assert blocked.status_code == 429
    other = call_action("login", {"email": f"y-{new_email}", "password": "Wr0ng-pass1"},
                        ip="198.51.100.8")
    assert other.json()["extensions"]["code"] == "invalid-credentials"


def test_forgot_password_answers_alike_for_known_and_unknown_emails(call_action: ActionCall,
                                                                    new_email: str) -> None:
    """GIVEN a confirmed account and an email without one (same first letters).

    WHEN asking for a reset code for each
    THEN both answers are the same: ok, EMAIL, and the destination masked as Cognito masks it
    (no account discovery, no address echoed back).
    """
    signed_up(call_action, new_email)
    local, _, domain = new_email.partition("@")
    unknown = f"{local}-nobody@{domain}"

    known_answer = call_action("forgotPassword", {"email": new_email})
    unknown_answer = call_action("forgotPassword", {"email": unknown})

    assert known_answer.status_code == unknown_answer.status_code == 200
    assert known_answer.json() == unknown_answer.json() == {
        "ok": True, "medium": "EMAIL", "destination": f"{local[0]}***@{domain[0]}***"}


def test_forgot_password_then_confirm_sets_the_new_password(call_action: ActionCall,
                                                            new_email: str) -> None:
    """GIVEN a confirmed user who asked for a reset code.

    WHEN confirming with the code and a new password
    THEN the new password logs in and a weak one is refused.
    """
    signed_up(call_action, new_email)
    sent = call_action("forgotPassword", {"email": new_email})
    assert sent.json()["ok"] is True
    weak = call_action("confirmForgotPassword",
                       {"email": new_email, "code": TEST_CONFIRMATION_CODE, "password": "short"})
    assert weak.json()["extensions"]["code"] == "weak-password"
    done = call_action("confirmForgotPassword", {"email": new_email,
                       "code": TEST_CONFIRMATION_CODE, "password": "N3w-password"})
    assert done.json() == {"ok": True}, done.text
    login = call_action("login", {"email": new_email, "password": "N3w-password"})
    assert login.status_code == 200


def test_cognito_local_keeps_its_user_database_private(
        call_action: ActionCall, new_email: str,
        bare_pool: tuple[Any, Any]) -> None:
    """Cognito local keeps its user database private.

    GIVEN cognito-local started by devstack WHEN a user signs up (its password is stored in
    plain text in cognito-local's database) THEN no file under cognito-local's folder is
    readable by other accounts.
    """
    from devstack.private_state import others_can_read

    signed_up(call_action, new_email)
    root = bare_pool[0].root
    written = [p for p in root.rglob("*.json") if p.is_file()]
    assert written
    assert [p for p in others_can_read(root) if p != root] == []
