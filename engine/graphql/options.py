"""Engine options (set once at start-up by the server)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineOptions:
    """How the engine answers; mirrors the Hasura server flags that matter to the compiler."""

    stringify_numeric_types: bool = False
    """bigint, numeric, float8 and money as JSON strings (``--stringify-numeric-types``)."""
    infer_function_permissions: bool = True
    """A role may call a tracked function when it may select its rows
    (``HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS``); when false, only roles given a function
    permission may."""
    remote_schema_permissions: bool = False
    """Roles see remote schemas only through their permission SDL
    (``HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS``)."""
    admin_internal_errors: bool = True
    """Admin's errors carry ``extensions.internal`` (``HASURA_GRAPHQL_ADMIN_INTERNAL_ERRORS``)."""
    dev_mode: bool = False
    """Every role's errors carry ``extensions.internal`` (``HASURA_GRAPHQL_DEV_MODE``)."""
    document_cache_size: int = 2048
    """How many parsed and validated documents to keep per engine."""
    plan_cache_size: int = 4096
    """How many compiled plans (SQL + parameter sources) to keep."""
