from __future__ import annotations

from typing import Any

from devstack.lambda_runtime.cognito_fidelity import needs_email_verified


def _event(source: str, **attributes: str) -> dict[str, Any]:
    return {"triggerSource": source, "userPoolId": "local_pool", "userName": "u-1",
            "request": {"userAttributes": attributes}}


def test_needs_email_verified_only_for_a_confirmed_sign_up_with_an_unverified_email() -> None:
    """Needs email verified only for a confirmed sign up with an unverified email.

    GIVEN trigger events WHEN asked whether the email must be marked verified THEN only a
    confirmed sign-up whose email is not yet verified needs it.
    """
    assert needs_email_verified(_event("PostConfirmation_ConfirmSignUp", email="a@example.com"))
    assert needs_email_verified(_event("PostConfirmation_ConfirmSignUp", email="a@example.com",
                                       email_verified="false"))
    assert not needs_email_verified(_event("PostConfirmation_ConfirmSignUp",
                                           email="a@example.com", email_verified="true"))
    assert not needs_email_verified(_event("PostConfirmation_ConfirmForgotPassword",
                                           email="a@example.com"))
    assert not needs_email_verified(_event("PostConfirmation_ConfirmSignUp"))
    assert not needs_email_verified("not an event")
