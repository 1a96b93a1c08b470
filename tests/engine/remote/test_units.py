"""The pure core of remote schemas: definitions, customization, the query sent to a remote."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FieldNode, OperationDefinitionNode, build_schema, parse

from engine.graphql.options import EngineOptions
from engine.remote.client import RemoteJoinError
from engine.remote.config import RemoteSchemaConfigError, read_remote_schema
from engine.remote.customize import Customization
from engine.remote.permissions import RemotePermissionError, parse_role_schema
from engine.remote.provider import LoadedRemote, RemoteSchemas
from engine.remote.query import RemoteQuery, operation_text
from engine.remote.relationships import read_relationship
from engine.remote.types import build_view

REMOTE = build_schema("""
type Query { person(id: ID!, tenant: String): Person  hello(name: String = "x"): String }
type Person { id: ID! name: String! friends(first: Int): [Person!]! }
""")
CUSTOM = Customization.from_json({
    "root_fields_namespace": "ns", "type_names": {"prefix": "P_", "mapping": {"Query": "Q"}},
    "field_names": [{"parent_type": "Person", "suffix": "_x", "mapping": {"name": "label"}}]})


def _field(query: str) -> tuple[FieldNode, Any]:
    document = parse(query)
    op = document.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    first = op.selection_set.selections[0]
    assert isinstance(first, FieldNode)
    return first, document


def test_config_reads_url_from_env_and_refuses_a_missing_variable() -> None:
    """Config reads url from env and refuses a missing variable.

    GIVEN url_from_env WHEN the variable is set THEN it is the URL; WHEN unset THEN the error
    names the variable.
    """
    entry = {"name": "r", "definition": {"url_from_env": "R_URL", "timeout_seconds": 3}}
    found = read_remote_schema(entry, env={"R_URL": "http://127.0.0.1:1/graphql"})
    assert (found.url, found.timeout_seconds) == ("http://127.0.0.1:1/graphql", 3.0)
    with pytest.raises(RemoteSchemaConfigError, match="R_URL"):
        read_remote_schema(entry, env={})


def test_customization_renames_types_and_fields_but_not_builtins() -> None:
    """Customization renames types and fields but not builtins.

    GIVEN a prefix, a mapping and field renames THEN names change as Hasura's rules say.
    """
    assert CUSTOM.type_name("Person") == "P_Person"
    assert CUSTOM.type_name("Query") == "Q"
    assert CUSTOM.type_name("String") == "String"
    assert CUSTOM.field_name("Person", "name") == "label"
    assert CUSTOM.field_name("Person", "id") == "id_x"
    assert CUSTOM.field_name("Query", "person") == "person"


def test_remote_query_translates_names_aliases_and_variables_back() -> None:
    """Remote query translates names aliases and variables back.

    GIVEN a client query in customized names with a variable WHEN translated THEN the remote
    gets its own names, the client's response keys as aliases and the variable's value inline.
    """
    view = build_view("r", REMOTE, CUSTOM)
    node, _ = _field(
        "query($n: Int) { ns { person(id: 7) { id_x who: label friends_x(first: $n) "
        "{ label __typename } } } }")
    query = RemoteQuery(view, {}, {"n": 2}, {})
    assert node.selection_set is not None
    sset = query.selection_set(node.selection_set, "Q")
    fields = [s for s in sset.selections if isinstance(s, FieldNode)]
    text = " ".join(operation_text("query", fields).split())
    assert text == ('query { person(id: 7) { id_x: id who: name friends_x: friends(first: 2) '
                    '{ label: name __typename } } }')
    assert query.typename_keys == {"__typename"}


def test_permissions_refuse_sdl_that_is_not_part_of_the_remote() -> None:
    """Permissions refuse sdl that is not part of the remote.

    GIVEN a role SDL with a field the remote lacks THEN it is refused, naming the field;
    GIVEN a preset THEN it is read and the argument leaves the role's view.
    """
    with pytest.raises(RemotePermissionError, match=r"Person\.age"):
        parse_role_schema("type Query { person(id: ID!): Person } "
                          "type Person { id: ID! age: Int }", REMOTE)
    schema, presets = parse_role_schema(
        'type Query { person(id: ID!, tenant: String @preset(value: "x-hasura-tenant")): '
        "Person } type Person { id: ID! }", REMOTE)
    assert presets[("Query", "person")]["tenant"].resolve({"x-hasura-tenant": "t1"}) == "t1"
    view = build_view("r", schema, Customization(), presets)
    assert set(view.roots["query"]["person"].args) == {"id"}


def test_relationship_reads_both_hasura_formats() -> None:
    """Relationship reads both hasura formats.

    GIVEN the v3 to_remote_schema form and the older one THEN both give the same path.
    """
    new = read_relationship(("public", "t"), {"name": "p", "definition": {"to_remote_schema": {
        "remote_schema": "r", "lhs_fields": ["pid"],
        "remote_field": {"person": {"arguments": {"id": "$pid"}}}}}})
    old = read_relationship(("public", "t"), {"name": "p", "definition": {
        "remote_schema": "r", "hasura_fields": ["pid"],
        "remote_field": {"person": {"arguments": {"id": "$pid"}}}}})
    assert new.path == old.path == (("person", {"id": "$pid"}),)
    assert new.arguments(0, {"pid": 4}) == {"id": 4}


def _loaded(permissions: dict[str, str]) -> RemoteSchemas:
    remotes = RemoteSchemas()
    definition = read_remote_schema({"name": "r", "definition": {"url": "http://127.0.0.1:9"},
                                     "permissions": [{"role": role, "definition": {
                                         "schema": sdl}} for role, sdl in permissions.items()]})
    loaded = LoadedRemote(definition, REMOTE, {}, b"")
    for role, sdl in permissions.items():
        loaded.role_schemas[role] = parse_role_schema(sdl, REMOTE)
    remotes.loaded["r"] = loaded
    return remotes


RELATIONSHIP_METADATA = {"sources": [{"name": "default", "tables": [{
    "table": {"schema": "public", "name": "t"}, "remote_relationships": [{
        "name": "p", "definition": {"to_remote_schema": {
            "remote_schema": "r", "lhs_fields": ["pid"],
            "remote_field": {"person": {"arguments": {"id": "$pid"}}}}}}]}]}]}


def _sees(remotes: RemoteSchemas, role: str) -> tuple[bool, bool]:
    """(role has the remote's root fields, role has the relationship)."""
    roots = {f.name for f in remotes.fields_for_role(role, RELATIONSHIP_METADATA)}
    joins = remotes.join_fields_for_role(role, RELATIONSHIP_METADATA)
    return "person" in roots, bool(joins.get(("public", "t")))


def test_remote_permissions_decide_root_fields_and_relationships_as_hasura() -> None:
    """Remote permissions decide root fields and relationships as Hasura.

    GIVEN remote schema permissions disabled THEN every role has the root fields and the
    relationship. GIVEN them enabled THEN admin has both; a role whose SDL has the joined
    field has both (a preset on the joined argument does not stop the join); a role whose SDL
    lacks it has neither the field nor the relationship; a role without a permission has
    nothing.
    """
    remotes = _loaded({
        "user": 'type Query { person(id: ID! @preset(value: "x-hasura-pid")): Person } '
                "type Person { id: ID! }",
        "greeter": "type Query { hello(name: String): String }"})
    assert _sees(remotes, "anyone") == (True, True)
    remotes.permissions_enabled = True
    remotes.loaded["r"].views.clear()
    assert _sees(remotes, "admin") == (True, True)
    assert _sees(remotes, "user") == (True, True)
    assert _sees(remotes, "greeter") == (False, False)
    assert _sees(remotes, "anyone") == (False, False)


def test_join_errors_show_internal_detail_as_hasuras_flags_say() -> None:
    """Join errors show internal detail as Hasura's flags say.

    GIVEN the defaults THEN only admin sees the remote errors under internal; GIVEN
    HASURA_GRAPHQL_ADMIN_INTERNAL_ERRORS=false THEN not even admin; GIVEN dev mode THEN
    every role does.
    """
    remotes = RemoteSchemas()
    assert (remotes._internal_for("admin"), remotes._internal_for("user")) == (True, False)
    remotes.options = EngineOptions(admin_internal_errors=False)
    assert (remotes._internal_for("admin"), remotes._internal_for("user")) == (False, False)
    remotes.options = EngineOptions(dev_mode=True)
    assert (remotes._internal_for("admin"), remotes._internal_for("user")) == (True, True)
    error = RemoteJoinError([{"message": "no"}], show_internal=False).to_json()
    assert error == {"message": "Errors from remote server",
                     "extensions": {"path": "$", "code": "unexpected"}}
