"""The metadata API over HTTP, against a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from devstack.services.engine import EngineHandle
from tests.engine.metadata.exported import export, tables


def test_track_table_records_the_table_with_a_qualified_name(blog: EngineHandle) -> None:
    """Track table records the table with a qualified name.

    GIVEN tables tracked with the v1 {schema, name} form WHEN the metadata is exported THEN each
    table is {schema, name} under the default source with its relationships.
    """
    metadata = export(blog)
    assert metadata["version"] == 3
    assert metadata["sources"][0]["name"] == "default"
    found = tables(blog)
    assert found["article"]["table"] == {"schema": "public", "name": "article"}
    assert found["article"]["object_relationships"][0]["name"] == "author"
    assert found["author"]["array_relationships"][0]["using"]["foreign_key_constraint_on"][
        "table"] == {"schema": "public", "name": "article"}


def test_track_table_twice_is_already_tracked(blog: EngineHandle) -> None:
    """Track table twice is already tracked.

    GIVEN a tracked table WHEN it is tracked again THEN 400 already-tracked.
    """
    response = blog.metadata({"type": "pg_track_table", "args": {"table": "author"}})
    assert response.status_code == 400
    assert response.json()["code"] == "already-tracked"


def test_track_table_of_a_missing_table_is_not_exists(api: EngineHandle) -> None:
    """Track table of a missing table is not exists.

    GIVEN no table "ghost" WHEN it is tracked THEN 400 not-exists and nothing is stored.
    """
    response = api.metadata({"type": "pg_track_table", "args": {"table": "ghost"}})
    assert response.status_code == 400
    assert response.json() == {"path": "$.args", "code": "not-exists",
                               "error": 'no such table/view exists in source: "ghost"'}
    assert "ghost" not in tables(api)


def test_bulk_failure_names_the_failing_item_and_changes_nothing(blog: EngineHandle) -> None:
    """Bulk failure names the failing item and changes nothing.

    GIVEN a bulk whose second item fails WHEN it runs THEN the error path names that item and
    the first item's change is not kept.
    """
    response = blog.metadata({"type": "bulk", "args": [
        {"type": "pg_create_select_permission", "args": {
            "table": "author", "role": "user", "permission": {"columns": ["id"], "filter": {}}}},
        {"type": "pg_track_table", "args": {"table": "ghost"}},
    ]})
    assert response.status_code == 400
    assert response.json()["path"] == "$.args[1].args"
    assert "select_permissions" not in tables(blog)["author"]


def test_permissions_are_created_and_dropped(blog: EngineHandle) -> None:
    """Permissions are created and dropped.

    GIVEN a tracked table WHEN a select permission is created, created again, then dropped THEN
    the first succeeds, the second is already-exists, the drop removes it.
    """
    args = {"table": "author", "role": "user",
            "permission": {"columns": ["id", "name"], "filter": {"id": "X-Hasura-User-Id"}}}
    assert blog.metadata({"type": "pg_create_select_permission", "args": args}).status_code == 200
    again = blog.metadata({"type": "pg_create_select_permission", "args": args})
    assert again.status_code == 400
    assert again.json()["code"] == "already-exists"
    assert tables(blog)["author"]["select_permissions"] == [
        {"role": "user", "permission": args["permission"]}]
    dropped = blog.metadata({"type": "pg_drop_select_permission",
                             "args": {"table": "author", "role": "user"}})
    assert dropped.status_code == 200
    assert "select_permissions" not in tables(blog)["author"]


def test_permission_on_an_unknown_column_is_refused(blog: EngineHandle) -> None:
    """Permission on an unknown column is refused.

    GIVEN a tracked table WHEN a permission names a column it lacks THEN 400, not stored.
    """
    response = blog.metadata({"type": "pg_create_insert_permission", "args": {
        "table": "author", "role": "user",
        "permission": {"columns": ["id", "salary"], "check": {}}}})
    assert response.status_code == 400
    assert "salary" in response.json()["error"]
    assert "insert_permissions" not in tables(blog)["author"]


def test_relationship_rename_and_drop(blog: EngineHandle) -> None:
    """Relationship rename and drop.

    GIVEN a relationship WHEN it is renamed then dropped THEN the export follows.
    """
    renamed = blog.metadata({"type": "pg_rename_relationship", "args": {
        "table": "author", "name": "articles", "new_name": "posts"}})
    assert renamed.status_code == 200, renamed.text
    assert tables(blog)["author"]["array_relationships"][0]["name"] == "posts"
    dropped = blog.metadata({"type": "pg_drop_relationship", "args": {
        "table": "author", "relationship": "posts"}})
    assert dropped.status_code == 200
    assert "array_relationships" not in tables(blog)["author"]
    missing = blog.metadata({"type": "pg_drop_relationship", "args": {
        "table": "author", "relationship": "posts"}})
    assert missing.json()["code"] == "not-exists"


def test_relationship_on_a_column_without_foreign_key_is_refused(blog: EngineHandle) -> None:
    """Relationship on a column without foreign key is refused.

    GIVEN no foreign key on article.title WHEN an object relationship uses it THEN 400.
    """
    response = blog.metadata({"type": "pg_create_object_relationship", "args": {
        "table": "article", "name": "by_title",
        "using": {"foreign_key_constraint_on": "title"}}})
    assert response.status_code == 400


def test_customization_and_enum_flags_are_stored(blog: EngineHandle) -> None:
    """Customization and enum flags are stored.

    GIVEN a tracked table WHEN customised and marked not-enum THEN the configuration keeps
    custom names in both Hasura spellings.
    """
    response = blog.metadata({"type": "pg_set_table_customization", "args": {
        "table": "author", "configuration": {
            "custom_root_fields": {"select": "writers"},
            "custom_column_names": {"name": "fullName"}}}})
    assert response.status_code == 200, response.text
    configuration = tables(blog)["author"]["configuration"]
    assert configuration["custom_root_fields"] == {"select": "writers"}
    assert configuration["column_config"] == {"name": {"custom_name": "fullName"}}
    assert configuration["custom_column_names"] == {"name": "fullName"}
    flag = blog.metadata({"type": "pg_set_table_is_enum",
                          "args": {"table": "author", "is_enum": False}})
    assert flag.status_code == 200


def test_replace_metadata_accepts_v2_and_reports_inconsistencies(blog: EngineHandle) -> None:
    """Replace metadata accepts v2 and reports inconsistencies.

    GIVEN v2 metadata naming a missing table WHEN replaced without, then with
    allow_inconsistent_metadata THEN the first is refused; the second is stored and reported
    inconsistent until dropped.
    """
    v2 = {"version": 2, "tables": [{"table": {"schema": "public", "name": "author"}},
                                   {"table": {"schema": "public", "name": "ghost"}}]}
    refused = blog.metadata({"type": "replace_metadata", "args": v2})
    assert refused.status_code == 400
    assert len(tables(blog)) == 2
    allowed = blog.metadata({"type": "replace_metadata", "version": 2, "args": {
        "allow_inconsistent_metadata": True, "metadata": v2}})
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["is_consistent"] is False
    assert set(tables(blog)) == {"author", "ghost"}
    report = blog.metadata({"type": "get_inconsistent_metadata", "args": {}}).json()
    assert report["is_consistent"] is False
    assert [o["type"] for o in report["inconsistent_objects"]] == ["table"]
    dropped = blog.metadata({"type": "drop_inconsistent_metadata", "args": {}})
    assert dropped.status_code == 200
    assert set(tables(blog)) == {"author"}
    assert blog.metadata({"type": "get_inconsistent_metadata", "args": {}}).json()[
        "is_consistent"] is True


def test_export_v2_carries_the_resource_version_and_stale_versions_conflict(
    blog: EngineHandle,
) -> None:
    """Export v2 carries the resource version and stale versions conflict.

    GIVEN a resource version WHEN a change names an older one THEN 409 conflict.
    """
    current = blog.metadata({"type": "export_metadata", "version": 2, "args": {}}).json()
    version = current["resource_version"]
    assert current["metadata"]["version"] == 3
    stale = blog.metadata({"type": "pg_untrack_table", "resource_version": version - 1,
                           "args": {"table": "article"}})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    fresh = blog.metadata({"type": "pg_untrack_table", "resource_version": version,
                           "args": {"table": "article", "cascade": True}})
    assert fresh.status_code == 200, fresh.text


def test_inherited_roles_are_added_and_dropped(api: EngineHandle) -> None:
    """Inherited roles are added and dropped.

    GIVEN no inherited role WHEN one is added, added again, dropped THEN success,
    already-exists, and gone.
    """
    args = {"role_name": "staff", "role_set": ["user", "editor"]}
    assert api.metadata({"type": "add_inherited_role", "args": args}).status_code == 200
    assert export(api)["inherited_roles"] == [args]
    again = api.metadata({"type": "add_inherited_role", "args": args})
    assert again.json()["code"] == "already-exists"
    assert api.metadata({"type": "drop_inherited_role",
                         "args": {"role_name": "staff"}}).status_code == 200
    assert "inherited_roles" not in export(api)


def test_unknown_operation_is_parse_failed(api: EngineHandle) -> None:
    """Unknown operation is parse failed.

    GIVEN an operation name no API knows WHEN posted THEN 400 parse-failed.
    """
    response = api.metadata({"type": "pg_make_coffee", "args": {}})
    assert response.status_code == 400
    assert response.json()["code"] == "parse-failed"


def test_metadata_survives_a_restart(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
) -> None:
    """Metadata survives a restart.

    GIVEN a tracked table WHEN the engine is stopped and another starts on the database THEN the
    new engine exports the same metadata (kept in hdb_catalog.hdb_metadata).
    """
    url = create_database("restart")
    first = start_engine(url)
    first.run_sql("create table kept (id int primary key)")
    assert first.metadata({"type": "pg_track_table", "args": {"table": "kept"}}).status_code == 200
    before = export(first)
    first.server.stop()
    second = start_engine(url)
    assert export(second) == before


@pytest.mark.parametrize("body", [
    {"type": "pg_untrack_table", "args": "author"},
    {"type": "pg_create_select_permission", "args": {"table": "author", "role": "r",
                                                     "permission": {"columns": 5}}},
    {"type": "replace_metadata", "args": {"version": 3, "sources": [
        {"name": "default", "tables": [{"table": "author", "object_relationships": "x"}]}]}},
    {"type": "bulk", "args": {"not": "a list"}},
    {"type": "pg_track_table", "args": {"table": {"schema": 1, "name": "x"}}},
    {"type": 5},
    [],
])
def test_malformed_arguments_are_client_errors(api: EngineHandle, body: Any) -> None:
    """Malformed arguments are client errors.

    GIVEN arguments of the wrong shape WHEN posted THEN 4xx with Hasura's error shape, never
    a 500.
    """
    response = api.metadata(body)
    assert 400 <= response.status_code < 500, response.text
    assert {"path", "error", "code"} <= set(response.json())


def test_replace_metadata_is_checked_by_the_typed_model(blog: EngineHandle) -> None:
    """Replace metadata is checked by the engine's typed model (no schema file needed).

    GIVEN v3 metadata whose relationship list is a string WHEN replaced THEN 400 parse-failed
    pointing at that place, and the metadata in force is untouched.
    """
    before = export(blog)
    broken = {"version": 3, "sources": [{
        "name": "default", "kind": "postgres", "configuration": before["sources"][0][
            "configuration"],
        "tables": [{"table": {"schema": "public", "name": "author"},
                    "object_relationships": "not a list"}]}]}
    response = blog.metadata({"type": "replace_metadata", "args": broken})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse-failed"
    assert body["path"] == "$.args.sources[0].tables[0].object_relationships"
    assert export(blog) == before


def test_replace_metadata_names_a_misspelt_table_key(blog: EngineHandle) -> None:
    """Replace metadata names a misspelt table key.

    GIVEN a table entry with `select_permission` (no s) WHEN replaced THEN 400 parse-failed
    whose path is that key and whose message names it, as Hasura refuses unknown keys there.
    """
    before = export(blog)
    broken = {"version": 3, "sources": [{
        "name": "default", "kind": "postgres",
        "configuration": before["sources"][0]["configuration"],
        "tables": [{"table": {"schema": "public", "name": "author"},
                    "select_permission": [{"role": "user", "permission": {"columns": "*"}}]}]}]}

    response = blog.metadata({"type": "replace_metadata", "args": broken})

    assert response.status_code == 400
    assert response.json()["path"] == "$.args.sources[0].tables[0].select_permission"
    assert "unexpected key 'select_permission'" in response.json()["error"]
    assert export(blog) == before
