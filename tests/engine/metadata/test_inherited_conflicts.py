"""Inherited roles whose parents hold differing mutation permissions are inconsistent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devstack.services.engine import EngineHandle

_CONFLICT = {
    "reason": "Could not inherit permission for the role 'users' for the entity: "
              "'insert permission, table: author, source: 'default''",
    "name": "users", "type": "inherited role permission inconsistency",
    "entity": {"permission_type": "insert", "source": "default", "table": "author"}}


@pytest.fixture
def author(api: EngineHandle) -> Iterator[EngineHandle]:
    """An ``author`` table (untracked)."""
    api.run_sql("create table author (id int primary key, name text)")
    yield api
    api.query({"type": "clear_metadata", "args": {}})
    api.run_sql("drop table if exists author")


def _metadata(user2_check: dict[str, Any]) -> dict[str, Any]:
    def insert(role: str, check: dict[str, Any], columns: list[str]) -> dict[str, Any]:
        return {"role": role, "permission": {"check": check, "columns": columns,
                                             "backend_only": False}}
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": {"schema": "public", "name": "author"}, "insert_permissions": [
            insert("user1", {}, ["id", "name"]), insert("user2", user2_check, ["name", "id"])]}],
        "configuration": {"connection_info": {"database_url": {
            "from_env": "HASURA_GRAPHQL_DATABASE_URL"}}}}],
        "inherited_roles": [{"role_name": "users", "role_set": ["user2", "user1"]}]}


def test_replace_metadata_with_conflicting_parents_is_refused(author: EngineHandle) -> None:
    """Replace metadata with conflicting parents is refused.

    GIVEN an inherited role whose two parents hold differing insert permissions WHEN the
    metadata is replaced THEN 400 with Hasura's inherited-role inconsistency; allowed
    inconsistent, it is reported and drop_inconsistent_metadata drops the inherited role.
    """
    differing = _metadata({"id": {"_eq": "X-Hasura-User-Id"}})
    refused = author.metadata({"type": "replace_metadata", "version": 2,
                               "args": {"metadata": differing}})
    assert refused.status_code == 400
    assert refused.json() == {"internal": [_CONFLICT], "path": "$.args",
                              "error": "cannot continue due to inconsistent metadata",
                              "code": "unexpected"}
    allowed = author.metadata({"type": "replace_metadata", "version": 2, "args": {
        "metadata": differing, "allow_inconsistent_metadata": True}})
    assert allowed.status_code == 200, allowed.text
    report = author.metadata({"type": "get_inconsistent_metadata", "args": {}}).json()
    assert report["inconsistent_objects"] == [_CONFLICT]
    assert author.metadata({"type": "drop_inconsistent_metadata", "args": {}}).status_code == 200
    exported = author.metadata({"type": "export_metadata", "args": {}}).json()
    assert "inherited_roles" not in exported


def test_replace_metadata_with_agreeing_parents_is_accepted(author: EngineHandle) -> None:
    """Replace metadata with agreeing parents is accepted.

    GIVEN an inherited role whose parents hold the same insert permission (columns listed in
    another order) WHEN the metadata is replaced THEN it is accepted and consistent.
    """
    same = author.metadata({"type": "replace_metadata", "version": 2,
                            "args": {"metadata": _metadata({})}})
    assert same.status_code == 200, same.text
    assert same.json()["is_consistent"] is True
