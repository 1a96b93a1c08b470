"""An engine serving the project's own core schema (hasura/), with JWT auth as deployed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from devstack.hasura_project import metadata_dir, seeds
from devstack.hasura_project.migrations import Migrator
from devstack.paths import HASURA_DIR
from devstack.services.engine import EngineHandle
from tests.engine.auth.keys import JwtKeys

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test"
AUDIENCE = "test-app-client"
ALICE = "4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11"
BOB = "8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22"
CAROL = "c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33"


@dataclass
class CoreEngine:
    """The engine plus ways to call it as each kind of client."""

    handle: EngineHandle
    keys: JwtKeys
    metadata: dict[str, Any]

    def token(self, user_id: str = ALICE, roles: tuple[str, ...] = ("user",),
              default_role: str = "user", **claims: Any) -> str:
        """A Cognito-like ID token (stringified claims, issuer and audience set)."""
        payload = self.keys.claims(user_id=user_id, roles=roles, default_role=default_role,
                                   stringified=True, iss=ISSUER, aud=AUDIENCE)
        payload.update(claims)
        return self.keys.sign(payload)

    def post(self, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        """POST /v1/graphql; no answer may ever be a 500."""
        response = self.handle.post("/v1/graphql", body, headers or {})
        assert response.status_code != 500, response.text
        return response

    def as_user(self, query: str, variables: dict[str, Any] | None = None,
                user_id: str = ALICE) -> Any:
        """A request with a user's bearer token."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.post(body, {"Authorization": f"Bearer {self.token(user_id)}"}).json()

    def as_anonymous(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """A request without credentials (the unauthorized role)."""
        body: dict[str, Any] = {"query": query, **({"variables": variables} if variables else {})}
        return self.post(body).json()

    def as_admin(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """A request with the admin secret."""
        body: dict[str, Any] = {"query": query, **({"variables": variables} if variables else {})}
        return self.post(body, self.handle.admin_headers()).json()


@pytest.fixture(scope="session")
def core(start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
         jwt_keys: JwtKeys) -> CoreEngine:
    """The core schema migrated, seeded and its metadata applied, behind JWT auth."""
    url = create_database("core")
    Migrator(url, HASURA_DIR / "migrations").apply()
    seeds.apply(url, seeds.seed_files(HASURA_DIR / "seeds"))
    handle = start_engine(url, jwt_secret=jwt_keys.rs256_config(
        claims_format="stringified_json", issuer=ISSUER, audience=AUDIENCE),
        unauthorized_role="anonymous")
    document = metadata_dir.read(HASURA_DIR).metadata
    response = handle.metadata({"type": "replace_metadata", "version": 2, "args": {
        "allow_inconsistent_metadata": True, "metadata": document}})
    assert response.status_code == 200, response.text
    return CoreEngine(handle, jwt_keys, document)
