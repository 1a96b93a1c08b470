"""Hasura's claims for a Cognito user, as the engine reads them (stringified JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable

CLAIMS_NAMESPACE = "https://hasura.io/jwt/claims"
USER_ROLE = "user"
ADMIN_ROLE = "admin"
ADMIN_GROUP = "admin"


def allowed_roles(groups: Iterable[str]) -> list[str]:
    """``user`` for everyone, plus ``admin`` for members of the ``admin`` Cognito group."""
    roles = [USER_ROLE]
    if ADMIN_GROUP in set(groups):
        roles.append(ADMIN_ROLE)
    return roles


def hasura_claims(user_id: str, groups: Iterable[str]) -> dict[str, str]:
    """The claim to add: ``{namespace: "<json>"}`` (Cognito v1 claims must be strings)."""
    if not user_id:
        raise ValueError("a user id is required for Hasura claims")
    claims = {
        "x-hasura-allowed-roles": allowed_roles(groups),
        "x-hasura-default-role": USER_ROLE,
        "x-hasura-user-id": user_id,
    }
    return {CLAIMS_NAMESPACE: json.dumps(claims, separators=(",", ":"))}
