from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from actions.client_ip import client_ip, gateway_source_ip
from actions.cognito import secret_hash
from actions.cognito_errors import INVALID_CREDENTIALS, to_action_error
from actions.handlers.outputs import DEFAULT_EXPIRES_IN, lifetime
from actions.passwords import WeakPasswordError, check_password_policy, policy_failures


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "raw cognito text"}}, "InitiateAuth")


def test_secret_hash_is_hmac_sha256_of_username_and_client_id() -> None:
    """GIVEN a client secret WHEN hashing THEN base64(HMAC-SHA256(secret, user + client))."""
    expected = base64.b64encode(hmac.new(b"s3cret", b"ada@example.comclient1",
                                         hashlib.sha256).digest()).decode()
    assert secret_hash("ada@example.com", "client1", "s3cret") == expected


@pytest.mark.parametrize(("headers", "hops", "expected"), [
    ({"x-forwarded-for": "203.0.113.5"}, 1, "203.0.113.5"),
    ({"x-forwarded-for": "6.6.6.6, 203.0.113.5"}, 1, "203.0.113.5"),
    ({"x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.0.0.2"}, 2, "203.0.113.5"),
    ({"x-forwarded-for": "not-an-ip"}, 1, None),
    ({}, 1, None),
])
def test_client_ip_reads_the_trusted_entry_of_x_forwarded_for(
    headers: dict[str, str], hops: int, expected: str | None
) -> None:
    """Client ip reads the trusted entry of x forwarded for.

    GIVEN X-Forwarded-For chains WHEN reading the client address THEN the entry added by the trusted
    proxy, never a client-supplied one to its left; nothing when absent.
    """
    assert client_ip(headers, hops) == expected


def test_password_policy_names_every_missing_part() -> None:
    """Password policy names every missing part.

    GIVEN passwords missing parts of seed 003's policy WHEN checked THEN each gap is named and a
    conforming one passes.
    """
    assert policy_failures("Abcdefg1") == []
    assert policy_failures("abc") == ["at least 8 characters", "an upper-case letter",
                                      "a number"]
    with pytest.raises(WeakPasswordError) as raised:
        check_password_policy("ABCDEFGH1")
    assert raised.value.code == "weak-password"
    assert "lower-case" in raised.value.message


@pytest.mark.parametrize(("cognito_code", "status", "code"), [
    ("UsernameExistsException", 400, "user-exists"),
    ("CodeMismatchException", 400, "invalid-code"),
    ("ExpiredCodeException", 400, "expired-code"),
    ("UserNotConfirmedException", 403, "user-not-confirmed"),
    ("InvalidPasswordException", 400, "weak-password"),
    ("TooManyRequestsException", 429, "too-many-requests"),
    ("TooManyFailedAttemptsException", 429, "too-many-failed-attempts"),
    ("LimitExceededException", 429, "limit-exceeded"),
    ("InternalErrorException", 502, "auth-unavailable"),
])
def test_cognito_errors_map_to_their_own_status_and_code(
    cognito_code: str, status: int, code: str
) -> None:
    """Cognito errors map to their own status and code.

    GIVEN each Cognito error a user can cause WHEN mapped THEN its own status and code, and
    Cognito's raw message is not passed on.
    """
    error = to_action_error(_client_error(cognito_code))
    assert (error.status, error.code) == (status, code)
    assert "raw cognito text" not in error.message


def test_login_overrides_hide_whether_the_user_exists() -> None:
    """Login overrides hide whether the user exists.

    GIVEN login's overrides WHEN the user is unknown or the password wrong THEN both are ``invalid-
    credentials`` with one message.
    """
    overrides = {"UserNotFoundException": INVALID_CREDENTIALS,
                 "NotAuthorizedException": INVALID_CREDENTIALS}
    unknown = to_action_error(_client_error("UserNotFoundException"), overrides)
    wrong = to_action_error(_client_error("NotAuthorizedException"), overrides)
    assert unknown.to_json() == wrong.to_json()
    assert unknown.status == 401


def test_unreachable_cognito_is_an_upstream_error() -> None:
    """GIVEN Cognito cannot be reached WHEN mapped THEN 502 ``auth-unavailable``."""
    error = to_action_error(EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    assert (error.status, error.code) == (502, "auth-unavailable")


def test_token_lifetime_comes_from_the_token_when_cognito_omits_it() -> None:
    """Token lifetime comes from the token when cognito omits it.

    GIVEN an ID token with iat/exp WHEN ExpiresIn is missing THEN exp - iat; a token that cannot be
    read gives Cognito's default.
    """
    payload = base64.urlsafe_b64encode(b'{"iat": 100, "exp": 3700}').decode().rstrip("=")
    assert lifetime(f"h.{payload}.s") == 3600
    assert lifetime("garbage") == DEFAULT_EXPIRES_IN


@pytest.mark.parametrize(("forwarded", "source_ip", "expected"), [
    # API Gateway appended the caller (Hasura), which is also its sourceIp: skipped.
    ("6.6.6.6, 203.0.113.5, 198.51.100.9", "198.51.100.9", "203.0.113.5"),
    # Rotating what the client wrote changes nothing: the same address is read.
    ("7.7.7.7, 203.0.113.5, 198.51.100.9", "198.51.100.9", "203.0.113.5"),
    # Nothing but API Gateway's own entry: no address (never Hasura's, shared by all).
    ("198.51.100.9", "198.51.100.9", None),
    # Not behind API Gateway (local): the engine's single entry.
    ("127.0.0.1", None, "127.0.0.1"),
])
def test_client_ip_skips_api_gateways_own_entry(
    forwarded: str, source_ip: str | None, expected: str | None
) -> None:
    """Client ip skips api gateways own entry.

    GIVEN an X-Forwarded-For as the action Lambda receives it behind API Gateway WHEN the
    client address is read THEN the entry API Gateway appended (its sourceIp, Hasura's own
    address) is skipped, so users never share Hasura's bucket, and client-written entries
    are never used.
    """
    assert client_ip({"x-forwarded-for": forwarded}, 1, source_ip) == expected


def test_gateway_source_ip_reads_the_request_context() -> None:
    """GIVEN Mangum's scope for an HTTP API event THEN sourceIp is read; elsewhere None."""
    event = {"requestContext": {"http": {"sourceIp": "198.51.100.9"}}}
    assert gateway_source_ip({"aws.event": event}) == "198.51.100.9"
    assert gateway_source_ip({"client": ("127.0.0.1", 5)}) is None
