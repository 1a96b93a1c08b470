"""The GraphQL schema each role sees, as committed in ``hasura/schema/<role>.graphql``.

Fetched by introspection over HTTP (so it works against the local engine and real Hasura
alike) and printed as SDL with types and fields sorted, so a diff shows only real changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from graphql import build_client_schema, get_introspection_query, print_schema
from graphql.utilities import lexicographic_sort_schema

from common.engine_client import EngineClient, base_url
from devstack.hasura_project.engine_client import MetadataApiError

ROLES = ("admin", "user", "anonymous")
"""Roles whose schema is committed (admin first: it is the superset)."""


def fetch_sdl(endpoint: str, admin_secret: str, role: str, timeout: float = 60.0) -> str:
    """The SDL of the schema ``role`` sees (the admin secret lets us pick the role)."""
    extra = {} if role == "admin" else {"X_Hasura_Role": role}
    try:
        with EngineClient(endpoint, admin_secret, timeout) as engine:
            body: dict[str, Any] = engine.graphql(
                get_introspection_query(descriptions=True), headers=engine.admin_headers(**extra))
    except httpx.HTTPError as exc:
        raise MetadataApiError(f"cannot reach the engine at {base_url(endpoint)}: {exc}") from exc
    if body.get("errors") or not body.get("data"):
        raise MetadataApiError(f"introspection as {role!r} failed: {body.get('errors')}")
    schema = lexicographic_sort_schema(build_client_schema(body["data"]))
    return print_schema(schema) + "\n"


def schema_path(project_dir: Path, role: str) -> Path:
    """Where ``role``'s schema is committed."""
    return project_dir / "schema" / f"{role}.graphql"


def export(project_dir: Path, endpoint: str, admin_secret: str,
           roles: tuple[str, ...] = ROLES) -> list[Path]:
    """Write each role's schema into ``<project>/schema/``; returns the files written."""
    written = []
    for role in roles:
        path = schema_path(project_dir, role)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fetch_sdl(endpoint, admin_secret, role))
        written.append(path)
    return written
