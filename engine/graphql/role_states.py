"""A role's GraphQL schema and root fields (:class:`RoleState`), built from the model.

The engine builds one per (role, backend-only, Relay) the first time a request needs it and
keeps it (:meth:`engine.graphql.engine.GraphQLEngine._role`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.graphql.model import Model
from engine.graphql.options import EngineOptions
from engine.graphql.planner import RoleState
from engine.graphql.providers import (
    JoinField,
    JoinFieldProvider,
    ProvidedField,
    RootFieldProvider,
)
from engine.graphql.relay_schema import RelaySchemaBuilder, relay_roots
from engine.graphql.schema import SchemaBuilder
from engine.graphql.schema_stream import stream_root_name


def _is_mutation(root_kind: str) -> bool:
    """Whether a table root field of ``root_kind`` is an insert, update or delete."""
    return root_kind.split("_")[0] in ("insert", "update", "delete")


def _add_mutation_roots(model: Model, state: RoleState) -> None:
    """Insert, update and delete fields, and functions exposed as mutations."""
    for info in model.tables.values():
        for kind, name in info.root.items():
            if _is_mutation(kind):
                state.mutation_roots[name] = (kind, info)
    for fn in model.functions.values():
        if fn.exposed_as == "mutation":
            state.mutation_roots[fn.name] = ("function", fn)


def relay_role_state(model: Model, role: str, backend: bool) -> RoleState:
    """The Relay schema's state for ``role`` (Hasura's ``/v1beta1/relay``)."""
    relay_builder = RelaySchemaBuilder(model, role, (), backend)
    state = RoleState(role=role, schema=relay_builder.build(),
                      access=relay_builder.access, relay=True)
    state.query_roots.update(relay_roots(relay_builder))
    # Hasura's Relay schema has the same mutations (rows answer with global ids).
    _add_mutation_roots(model, state)
    return state


def role_state(model: Model, metadata: Mapping[str, Any], options: EngineOptions,
               providers: Sequence[RootFieldProvider], role: str, backend: bool) -> RoleState:
    """The GraphQL schema's state for ``role``: tables, functions, provided and join fields."""
    provided: list[ProvidedField] = []
    joins: dict[tuple[str, str], dict[str, JoinField]] = {}
    for provider in providers:
        provided.extend(provider.fields_for_role(role, metadata))
        if isinstance(provider, JoinFieldProvider):
            for key, found in provider.join_fields_for_role(role, metadata).items():
                joins.setdefault(key, {}).update({j.name: j for j in found})
    builder = SchemaBuilder(model, role, provided, backend, options.infer_function_permissions)
    builder.joins = joins
    state = RoleState(role=role, schema=builder.build(), access=builder.access, joins=joins)
    _add_mutation_roots(model, state)
    for info in model.tables.values():
        for kind, name in info.root.items():
            if not _is_mutation(kind):
                state.query_roots[name] = (kind, info)
    for fn in model.functions.values():
        if fn.exposed_as == "mutation":
            continue
        state.query_roots[fn.name] = ("function", fn)
        state.query_roots[f"{fn.name}_aggregate"] = ("function_aggregate", fn)
    state.subscription_roots.update(state.query_roots)
    for info in model.tables.values():
        state.subscription_roots[stream_root_name(info)] = ("select_stream", info)
    for p in provided:
        state.provided[(p.operation, p.name)] = p
    return state


__all__ = ["relay_role_state", "role_state"]
