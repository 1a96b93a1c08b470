from __future__ import annotations

import json

import pytest

from lambdas.pre_token_generation.claims import CLAIMS_NAMESPACE, hasura_claims
from lambdas.pre_token_generation.handler import handler
from tests.lambdas.events import cognito_event, context


def _claims(event: dict[str, object]) -> dict[str, object]:
    details = event["response"]["claimsOverrideDetails"]  # type: ignore[index]
    value = details["claimsToAddOrOverride"][CLAIMS_NAMESPACE]
    parsed: dict[str, object] = json.loads(value)
    return parsed


def test_pre_token_generation_adds_stringified_hasura_claims_for_admin_member() -> None:
    """GIVEN a user in the ``admin`` group WHEN tokens are generated THEN the claim is a JSON.

    string with user id = sub, default role user, allowed roles user and admin.
    """
    result = handler(cognito_event("pre_token_generation"), context("pre_token_generation"))
    assert _claims(result) == {
        "x-hasura-allowed-roles": ["user", "admin"],
        "x-hasura-default-role": "user",
        "x-hasura-user-id": "5f3c2a1e-8d4b-4a7e-9c6f-1b2d3e4f5a6b",
    }


def test_pre_token_generation_falls_back_to_username_for_migrated_user() -> None:
    """GIVEN a migrated user without ``sub`` and no groups WHEN tokens are generated.

    THEN the user id is the username and only the ``user`` role is allowed.
    """
    result = handler(cognito_event("pre_token_generation_migrated"),
                     context("pre_token_generation"))
    claims = _claims(result)
    assert claims["x-hasura-user-id"] == "0b9e1d7c-3a52-4f0e-8a1b-2c3d4e5f6a7b"
    assert claims["x-hasura-allowed-roles"] == ["user"]


def test_hasura_claims_refuse_an_empty_user_id() -> None:
    """GIVEN no user id WHEN building claims THEN it fails instead of minting a token for ''."""
    with pytest.raises(ValueError, match="user id"):
        hasura_claims("", [])
