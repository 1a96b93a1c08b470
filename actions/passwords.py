"""The pool's password policy, checked before Cognito sees the password.

Production Cognito enforces the same policy; cognito-local does not, so checking here keeps
local and AWS answers the same (and saves a round trip on AWS).
"""

from __future__ import annotations

from actions.errors import ActionError

MINIMUM_LENGTH = 8
"""Seed 003's pool: at least 8 characters with an upper-case letter, a lower-case letter
and a number (symbols optional)."""
MAXIMUM_LENGTH = 256  # Cognito's own limit


class WeakPasswordError(ActionError):
    """The password does not meet the policy."""

    code = "weak-password"


def policy_failures(password: str) -> list[str]:
    """What the password lacks, in words (empty when it meets the policy)."""
    failures = []
    if len(password) < MINIMUM_LENGTH:
        failures.append(f"at least {MINIMUM_LENGTH} characters")
    if len(password) > MAXIMUM_LENGTH:
        failures.append(f"at most {MAXIMUM_LENGTH} characters")
    if not any(c.isupper() for c in password):
        failures.append("an upper-case letter")
    if not any(c.islower() for c in password):
        failures.append("a lower-case letter")
    if not any(c.isdigit() for c in password):
        failures.append("a number")
    return failures


def check_password_policy(password: str) -> None:
    """Raise WeakPasswordError naming what is missing."""
    failures = policy_failures(password)
    if failures:
        raise WeakPasswordError("Password must have " + ", ".join(failures) + ".")
