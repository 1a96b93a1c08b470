"""The engine's typed metadata model, without a server."""

from __future__ import annotations

from typing import Any

from engine.metadata.typed import Problem, problems


def _v3(*tables: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres",
                                       "tables": list(tables)}], **top}


def test_typed_model_accepts_the_shapes_hasura_exports() -> None:
    """Typed model accepts the shapes hasura exports.

    GIVEN names as strings or objects, "*" columns, both relationship kinds, an event
    trigger, an action and a cron trigger THEN no problem.
    """
    document = _v3(
        {"table": "author", "is_enum": False,
         "array_relationships": [{"name": "articles", "using": {"foreign_key_constraint_on": {
             "table": {"schema": "public", "name": "article"}, "column": "author_id"}}}],
         "select_permissions": [{"role": "user", "permission": {
             "columns": "*", "filter": {"id": {"_eq": "X-Hasura-User-Id"}}, "limit": 10}}],
         "event_triggers": [{"name": "created", "definition": {"insert": {"columns": "*"}},
                             "webhook_from_env": "URL", "retry_conf": {"num_retries": 2}}]},
        {"table": {"schema": "public", "name": "article"},
         "object_relationships": [{"name": "author", "using": {"manual_configuration": {
             "remote_table": "author", "column_mapping": {"author_id": "id"}}}}]},
        actions=[{"name": "login", "definition": {"handler": "{{BASE}}/login",
                                                  "output_type": "Tokens", "kind": "synchronous",
                                                  "arguments": [{"name": "email",
                                                                 "type": "String!"}]}}],
        cron_triggers=[{"name": "tick", "webhook": "http://x", "schedule": "* * * * *"}],
    )

    assert problems(document) == []
    assert problems({"version": 2, "tables": [{"table": "author"}],
                     "functions": ["search"]}) == []


def test_typed_model_points_at_the_offending_key() -> None:
    """Typed model points at the offending key.

    GIVEN four mistakes THEN each problem's path is the key at fault, in document order.
    """
    document = _v3(
        {"table": "author", "select_permision": []},
        {"table": "article", "insert_permissions": [{"permission": {"check": {}}}]},
        {"table": "tag", "object_relationships": [{"name": "a", "using": {
            "foreign_key_constraint_on": "x", "manual_configuration": {
                "remote_table": "t", "column_mapping": {}}}}]},
        {"table": 7},
    )

    found = problems(document)

    assert [p.json_path() for p in found] == [
        "$.sources[0].tables[0].select_permision",
        "$.sources[0].tables[1].insert_permissions[0].role",
        "$.sources[0].tables[2].object_relationships[0].using",
        "$.sources[0].tables[3].table",
    ]
    assert found[0].message == "unexpected key 'select_permision'"
    assert found[1].message == "key 'role' is required"
    assert "exactly one of" in found[2].message
    assert "schema" in found[3].message


def test_typed_model_refuses_an_unknown_version() -> None:
    """Typed model refuses an unknown version.

    GIVEN version 4 THEN one problem at `version`.
    """
    assert problems({"version": 4}) == [Problem(("version",), "unsupported metadata version 4")]
