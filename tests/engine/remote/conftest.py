"""A real remote GraphQL server and an engine with remote schemas and relationships over it.

Both are shared by this package's tests (``remote`` and ``remote_engine``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.ports import free_port
from devstack.services.engine import EngineHandle
from devstack.services.http import HttpService, uvicorn_argv
from devstack.settings import StackSettings

USER_SDL = """
type Person { id: String! name: String! }
type Query {
  whoami(user_id: String @preset(value: "x-hasura-user-id")): String!
  person(id: String!): Person!
}
"""


@pytest.fixture(scope="package")
def remote(state_root: Path) -> Iterator[HttpService]:
    port = free_port()
    settings = dataclasses.replace(StackSettings.load(), state_dir=state_root / "remote-schema")
    service = HttpService(settings, "remote-schema", port,
                          uvicorn_argv("tests.engine.remote.remote_app:app", port),
                          description="test remote schema")
    service.start()
    yield service
    service.stop()


def remote_calls(remote: HttpService) -> int:
    """How many requests the remote server has answered."""
    return int(httpx.get(remote.url() + "/stats").json()["requests"])


def ok(response: httpx.Response) -> Any:
    """The JSON of a 200 response (fails with the body otherwise)."""
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="package")
def remote_engine(create_database: Callable[[str], str],
                  start_engine: Callable[..., EngineHandle],
                  remote: HttpService) -> EngineHandle:
    engine = start_engine(create_database("remote_schemas"), extra_env={
        "REMOTE_TEST_URL": remote.url() + "/graphql",
        "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS": "true",
        # One pooled connection: a request that held it during a remote call would block
        # every other one (see the gate test).
        "HASURA_GRAPHQL_PG_CONNECTIONS": "1",
        # Not development mode: only admin sees internal error detail (Hasura's default).
        "HASURA_GRAPHQL_DEV_MODE": "false"})
    engine.run_sql(
        "CREATE TABLE members (id int PRIMARY KEY, user_id text NOT NULL, ext_id text);"
        "INSERT INTO members SELECT i, 'u' || (i % 2), CASE WHEN i = 3 THEN NULL "
        "ELSE 'e' || i END FROM generate_series(1, 100) i;"
        "CREATE TABLE member_notes (id serial PRIMARY KEY, body text NOT NULL, "
        "member_id int REFERENCES members (id) ON DELETE CASCADE)")
    ok(engine.metadata({"type": "bulk", "args": [
        {"type": "pg_track_table", "args": {"table": "members"}},
        {"type": "pg_track_table", "args": {"table": "member_notes"}},
        {"type": "pg_create_object_relationship", "args": {
            "table": "member_notes", "name": "member",
            "using": {"foreign_key_constraint_on": "member_id"}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "user", "permission": {
                "columns": ["id", "ext_id"], "filter": {"user_id": {"_eq": "X-Hasura-User-Id"}}}}},
        {"type": "add_remote_schema", "args": {"name": "people", "definition": {
            "url_from_env": "REMOTE_TEST_URL", "timeout_seconds": 1,
            "customization": {"root_fields_namespace": "ppl",
                              "type_names": {"prefix": "R_"},
                              "field_names": [{"parent_type": "Person",
                                               "mapping": {"name": "full_name"}}]}}}},
        {"type": "add_remote_schema_permissions", "args": {
            "remote_schema": "people", "role": "user", "definition": {"schema": USER_SDL}}},
        # viewer: may read members, no remote schema permission. phantom: may not select
        # the join column, but has the remote schema permission.
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "viewer", "permission": {
                "columns": ["id", "ext_id"], "filter": {}}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "phantom", "permission": {
                "columns": ["id"], "filter": {"id": {"_lte": 2}}}}},
        {"type": "add_remote_schema_permissions", "args": {
            "remote_schema": "people", "role": "phantom", "definition": {"schema": USER_SDL}}},
        {"type": "pg_create_select_permission", "args": {
            "table": "members", "role": "auditor", "permission": {
                "columns": ["id"], "filter": {"id": {"_lte": 2}}}}},
        {"type": "add_remote_schema_permissions", "args": {
            "remote_schema": "people", "role": "auditor", "definition": {"schema":
                "type Person { id: String! } type Query { fail_for(id: String!): Person }"}}},
        {"type": "add_remote_schema", "args": {"name": "gate", "definition": {
            "url_from_env": "REMOTE_TEST_URL", "timeout_seconds": 120,
            "customization": {"root_fields_namespace": "gate",
                              "type_names": {"prefix": "G_"}}}}},
        {"type": "create_remote_relationship", "args": {
            "table": "members", "name": "held", "definition": {"to_remote_schema": {
                "remote_schema": "gate", "lhs_fields": ["ext_id"],
                "remote_field": {"hold": {"arguments": {"id": "$ext_id"}}}}}}},
        {"type": "create_remote_relationship", "args": {
            "table": "members", "name": "broken", "definition": {"to_remote_schema": {
                "remote_schema": "people", "lhs_fields": ["ext_id"],
                "remote_field": {"fail_for": {"arguments": {"id": "$ext_id"}}}}}}},
        {"type": "create_remote_relationship", "args": {
            "table": "members", "name": "profile", "definition": {"to_remote_schema": {
                "remote_schema": "people", "lhs_fields": ["ext_id"],
                "remote_field": {"person": {"arguments": {"id": "$ext_id"}}}}}}},
    ]}))
    return engine
