"""Input field types shared by the actions."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


def _normalise_email(value: str) -> str:
    local, sep, domain = value.partition("@")
    if not sep or not local or "." not in domain or any(c.isspace() for c in value):
        raise ValueError("not a valid email address")
    return value.lower()


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_normalise_email)
]
"""An email address, lower-cased (Cognito compares usernames case-sensitively)."""

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4,10}$")]
"""A confirmation or reset code (digits)."""

Password = Annotated[str, Field(min_length=1, max_length=256)]
"""A password as typed (never trimmed, never logged)."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
