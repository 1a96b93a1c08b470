"""Remote schemas in the engine: introspected before each schema build, merged per role.

- :meth:`RemoteSchemas.prepare` runs before every schema build: it introspects each remote
  schema whose definition changed (or that ``reload_remote_schema`` asked for) and returns
  the inconsistencies (an unreachable remote, a role SDL that is not part of the remote, a
  relationship to a missing field). An inconsistent remote is left out; the rest of the
  schema is served.
- Root fields: each role gets the remote's root fields (or its namespace field), through its
  permission SDL when remote schema permissions are enabled (admin sees everything).
- Remote relationships: a table's join field, answered by ONE aliased query per relationship
  and request (see :mod:`engine.graphql.joins`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.options import EngineOptions
from engine.graphql.providers import FieldCall, JoinCall, JoinField, ProvidedField
from engine.remote.client import (
    RemoteGraphQLError,
    RemoteJoinError,
    introspect_remote,
    post_graphql,
    request_headers,
)
from engine.remote.config import RemoteSchemaConfigError, RemoteSchemaDef, read_remote_schema
from engine.remote.join_request import JoinTemplate, innermost
from engine.remote.permissions import RemotePermissionError, parse_role_schema
from engine.remote.query import RemoteQuery, map_typenames, operation_text
from engine.remote.relationships import (
    RemoteRelationship,
    RemoteRelationshipError,
    read_relationship,
    table_relationships,
)
from engine.remote.types import RemoteView, build_view
from engine.session import ADMIN_ROLE, Session

logger = logging.getLogger("engine.remote")


def definition_key(entry: Mapping[str, Any]) -> bytes:
    """What decides whether a remote schema must be introspected again."""
    return orjson.dumps(entry.get("definition"), option=orjson.OPT_SORT_KEYS)


def _session_variables(session: Session) -> dict[str, str]:
    variables = {k.lower(): str(v) for k, v in session.variables.items()}
    variables.setdefault("x-hasura-role", session.role)
    return variables


def inconsistency(kind: str, name: str, reason: str, definition: Any) -> dict[str, Any]:
    """An entry of Hasura's ``inconsistent_objects``."""
    return {"definition": definition, "name": name, "reason": f"Inconsistent object: {reason}",
            "type": kind}


@dataclass
class LoadedRemote:
    """A remote schema that answered its introspection."""

    definition: RemoteSchemaDef
    schema: GraphQLSchema
    introspection: dict[str, Any]
    key: bytes
    views: dict[str, RemoteView | None] = field(default_factory=dict)
    role_schemas: dict[str, tuple[GraphQLSchema, Any]] = field(default_factory=dict)


class RemoteSchemas:
    """The remote schemas of the metadata: a root-field and join-field provider."""

    def __init__(self) -> None:
        self.loaded: dict[str, LoadedRemote] = {}
        self.stale: set[str] = set()
        """Remote schemas to introspect again at the next build (``reload_remote_schema``)."""
        self.permissions_enabled = False
        self.options = EngineOptions()
        self._http: httpx.AsyncClient | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def http(self) -> httpx.AsyncClient:
        """The HTTP client every remote call uses (created on first use)."""
        if self._http is None:
            self._http = httpx.AsyncClient()
        return self._http

    async def start(self, pool: Any, metadata: Mapping[str, Any]) -> None:
        """Nothing to start: :meth:`prepare` runs before every schema build."""

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        """Nothing to do after a change: :meth:`prepare` already took it."""

    async def stop(self) -> None:
        """Close the HTTP client."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def prepare(self, metadata: Mapping[str, Any],
                      options: EngineOptions | None = None) -> list[dict[str, Any]]:
        """Introspect what changed; the inconsistencies of remote schemas and relationships."""
        if options is not None:
            self.options = options
            self.permissions_enabled = options.remote_schema_permissions
        found: list[dict[str, Any]] = []
        loaded: dict[str, LoadedRemote] = {}
        for entry in metadata.get("remote_schemas") or ():
            name = str(entry.get("name"))
            try:
                definition = read_remote_schema(entry)
            except RemoteSchemaConfigError as exc:
                found.append(inconsistency("remote_schema", f"remote_schema {name}", str(exc),
                                           entry))
                continue
            key = definition_key(entry)
            previous = self.loaded.get(name)
            if previous is not None and previous.key == key and name not in self.stale:
                schema, answer = previous.schema, previous.introspection
            else:
                try:
                    schema, answer = await introspect_remote(self.http(), definition)
                except GraphQLFieldError as exc:
                    logger.warning("remote schema %s left out: %s", name, exc.message)
                    found.append(inconsistency("remote_schema", f"remote_schema {name}",
                                               exc.message, entry))
                    continue
            self.stale.discard(name)
            remote = LoadedRemote(definition, schema, answer, key)
            for role, sdl in definition.permissions.items():
                try:
                    remote.role_schemas[role] = parse_role_schema(sdl, schema)
                except RemotePermissionError as exc:
                    found.append(inconsistency(
                        "remote_schema_permission",
                        f"remote_schema_permission {name} for role {role}", str(exc),
                        {"remote_schema": name, "role": role}))
            loaded[name] = remote
        self.loaded = loaded
        found.extend(self._relationship_problems(metadata))
        return found

    def _relationship_problems(self, metadata: Mapping[str, Any]) -> list[dict[str, Any]]:
        found = []
        for table, entry in table_relationships(metadata):
            label = f"remote_relationship {entry.get('name')} in table {table[1]}"
            try:
                rel = read_relationship(table, entry)
                if rel.remote_schema not in self.loaded:
                    raise RemoteRelationshipError(
                        f"remote schema {rel.remote_schema!r} is not available")
                view = self.view(self.loaded[rel.remote_schema], ADMIN_ROLE)
                assert view is not None
                self.leaf_field(rel, view)
            except RemoteRelationshipError as exc:
                found.append(inconsistency("remote_relationship", label, str(exc), entry))
        return found

    # -- views ---------------------------------------------------------------------------
    def view(self, remote: LoadedRemote, role: str) -> RemoteView | None:
        """What ``role`` sees of ``remote`` (None: nothing)."""
        if role in remote.views:
            return remote.views[role]
        custom = remote.definition.customization
        name = remote.definition.name
        made: RemoteView | None
        if role == ADMIN_ROLE or not self.permissions_enabled:
            made = build_view(name, remote.schema, custom)
        elif role in remote.role_schemas:
            schema, presets = remote.role_schemas[role]
            made = build_view(name, schema, custom, presets)
        else:
            made = None
        remote.views[role] = made
        return made

    # -- root fields ---------------------------------------------------------------------
    def fields_for_role(self, role: str, metadata: Mapping[str, Any]) -> Sequence[ProvidedField]:
        """The remote root fields (or namespace fields) ``role`` may use."""
        out: list[ProvidedField] = []
        for remote in self.loaded.values():
            view = self.view(remote, role)
            if view is None:
                continue
            for operation, roots in view.roots.items():
                op: Any = operation
                if view.customization.namespace:
                    namespace = view.namespace_type(operation)
                    out.append(ProvidedField(op, view.customization.namespace,
                                             GraphQLField(namespace),
                                             self._namespace_resolver(remote, view, operation)))
                    continue
                for fname, f in roots.items():
                    out.append(ProvidedField(op, fname, f,
                                             self._field_resolver(remote, view, operation)))
        return out

    async def _send(self, remote: LoadedRemote, query: RemoteQuery, text: str,
                    session: Session, headers: Mapping[str, str]) -> dict[str, Any]:
        sent = request_headers(remote.definition, headers, _session_variables(session))
        return await post_graphql(self.http(), remote.definition, text, sent)

    def _field_resolver(self, remote: LoadedRemote, view: RemoteView,
                        operation: str) -> Callable[[FieldCall], Any]:
        parent = view.customized_type(view.root_types[operation])

        async def resolve(call: FieldCall) -> bytes:
            query = RemoteQuery(view, call.fragments, call.variables,
                                _session_variables(call.session))
            node = query.field(call.node, parent, alias=call.alias)
            data = await self._send(remote, query, operation_text(operation, [node]),
                                    call.session, call.headers)
            return orjson.dumps(map_typenames(data.get(call.alias), query.typename_keys, view))

        return resolve

    def _namespace_resolver(self, remote: LoadedRemote, view: RemoteView,
                            operation: str) -> Callable[[FieldCall], Any]:
        parent = view.namespace_type(operation).name

        async def resolve(call: FieldCall) -> bytes:
            query = RemoteQuery(view, call.fragments, call.variables,
                                _session_variables(call.session))
            assert call.node.selection_set is not None
            sset = query.selection_set(call.node.selection_set, parent)
            fields = [s for s in sset.selections if isinstance(s, FieldNode)]
            data = await self._send(remote, query, operation_text(operation, fields),
                                    call.session, call.headers)
            return orjson.dumps(map_typenames(data, query.typename_keys, view))

        return resolve

    def _internal_for(self, role: str) -> bool:
        """Whether ``role``'s errors show their internal detail (as Hasura's flags say)."""
        return self.options.dev_mode or (role == ADMIN_ROLE
                                          and self.options.admin_internal_errors)

    # -- remote relationships ------------------------------------------------------------
    def leaf_field(self, rel: RemoteRelationship, view: RemoteView) -> GraphQLField:
        """The remote field a relationship joins to, as ``view`` types it.

        Raises:
            RemoteRelationshipError: a field of the path is not in the view.
        """
        custom = view.customization
        parent_original = view.root_types.get("query", "")
        fields: Mapping[str, GraphQLField] = view.roots.get("query", {})
        found: GraphQLField | None = None
        for fname, arguments in rel.path:
            found = fields.get(custom.field_name(parent_original, fname))
            if found is None:
                raise RemoteRelationshipError(
                    f"field {fname!r} of remote schema {rel.remote_schema!r} is not available")
            for arg in arguments:
                if arg not in found.args \
                        and (parent_original, fname, arg) not in view.preset_types:
                    raise RemoteRelationshipError(
                        f"argument with name {arg!r} not found in remote schema")
            named = get_named_type(found.type)
            parent_original = view.original_type.get(named.name, named.name)
            fields = named.fields if isinstance(named, GraphQLObjectType
                                                | GraphQLInterfaceType) else {}
        assert found is not None
        return found

    def join_fields_for_role(self, role: str, metadata: Mapping[str, Any]
                             ) -> Mapping[tuple[str, str], Sequence[JoinField]]:
        """The remote relationships of each table, for ``role`` (as Hasura derives them).

        Without remote schema permissions every role sees every relationship of a table it
        may select from. With them, admin sees all; another role sees a relationship only
        when its permission SDL has every field of the relationship's path and every
        argument the relationship sets; a role without a permission on the remote schema
        sees none. The join columns need not be selectable by the role (Hasura reads them
        as phantom fields); the table's permissions decide which rows reach the join.
        """
        out: dict[tuple[str, str], list[JoinField]] = {}
        for table, entry in table_relationships(metadata):
            try:
                rel = read_relationship(table, entry)
            except RemoteRelationshipError:
                continue
            remote = self.loaded.get(rel.remote_schema)
            if remote is None:
                continue
            view = self.view(remote, role)
            if view is None:
                continue
            try:
                leaf = self.leaf_field(rel, view)
            except RemoteRelationshipError:
                continue
            # Nullable whatever the remote says: a row without join values has no answer.
            nullable = leaf.type.of_type if isinstance(leaf.type, GraphQLNonNull) else leaf.type
            out.setdefault(table, []).append(JoinField(
                rel.name, GraphQLField(nullable, description=f"remote relationship to "
                                       f"{rel.remote_schema}"),
                rel.lhs_fields, self._join_resolver(remote, view, rel)))
        return out

    def _join_resolver(self, remote: LoadedRemote, view: RemoteView,
                       rel: RemoteRelationship) -> Callable[[JoinCall], Any]:
        async def resolve(call: JoinCall) -> list[Any]:
            query = RemoteQuery(view, call.fragments, call.variables,
                                _session_variables(call.session))
            template = JoinTemplate(query, view, rel, call.node)
            aliases: dict[bytes, str] = {}
            keys: list[bytes | None] = []
            fields: list[str] = []
            for row in call.rows:
                if any(row.get(c) is None for c in rel.lhs_fields):
                    keys.append(None)
                    continue
                key = orjson.dumps(row, option=orjson.OPT_SORT_KEYS)
                keys.append(key)
                if key not in aliases:
                    # Hasura's aliases: "f" and the join argument's number.
                    aliases[key] = f"f{len(aliases)}"
                    fields.append(template.field(aliases[key], row))
            if not fields:
                return [None] * len(call.rows)
            try:
                data = await self._send(remote, query, "query { " + " ".join(fields) + " }",
                                        call.session, call.headers)
            except RemoteGraphQLError as exc:
                raise RemoteJoinError(exc.errors, self._internal_for(call.session.role)) from None
            map_typenames(data, query.typename_keys, view)
            return [None if key is None else innermost(data.get(aliases[key]), len(rel.path) - 1)
                    for key in keys]

        return resolve
