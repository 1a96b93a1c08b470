"""Operations to plans: which SQL (or provider, or introspection) answers each root field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLSchema, OperationDefinitionNode, OperationType

from engine.graphql.compiler import Compiler
from engine.graphql.errors import validation
from engine.graphql.introspection import INTROSPECTION_FIELDS
from engine.graphql.model import Model
from engine.graphql.mutation_update import UpdateCompiler
from engine.graphql.mutations import MutationCompiler
from engine.graphql.options import EngineOptions
from engine.graphql.params import Params
from engine.graphql.plan import ParsedDocument, Plan
from engine.graphql.providers import JoinField, ProvidedField
from engine.graphql.relay import RELAY_ROOTS, relay_root
from engine.graphql.roles import Access
from engine.graphql.root_fields import function_root, select_aggregate, select_by_pk, select_root
from engine.graphql.roots import (
    IntrospectionRoot,
    LiteralRoot,
    NestedInsertRoot,
    ProviderRoot,
    RootPlan,
    SequenceRoot,
    SqlRoot,
    StreamRoot,
)
from engine.graphql.selection import Selected, collect
from engine.graphql.stream import compile_stream
from engine.graphql.values import Values


@dataclass
class RoleState:
    """A role's schema and the root fields it resolves."""

    role: str
    schema: GraphQLSchema
    access: dict[tuple[str, str], Access]
    query_roots: dict[str, tuple[str, Any]] = field(default_factory=dict)
    subscription_roots: dict[str, tuple[str, Any]] = field(default_factory=dict)
    mutation_roots: dict[str, tuple[str, Any]] = field(default_factory=dict)
    provided: dict[tuple[str, str], ProvidedField] = field(default_factory=dict)
    relay: bool = False
    """The Relay API's schema (``/v1beta1/relay``)."""
    joins: dict[tuple[str, str], dict[str, JoinField]] = field(default_factory=dict)
    """(schema, table) → fields answered by another server (remote relationships)."""


def compile_operation(model: Model, options: EngineOptions, state: RoleState,
                      doc: ParsedDocument, op: OperationDefinitionNode,
                      variables: dict[str, Any],
                      params: Callable[[], Params] = Params) -> tuple[Plan, frozenset[str]]:
    """Compile the operation's root fields; also returns the variables that shaped the SQL.

    ``params`` makes the parameter builder of each root field's statement (a subscription
    poller passes one that refers to its batched cohort rows instead).
    """
    kind = {OperationType.MUTATION: "mutation",
            OperationType.SUBSCRIPTION: "subscription"}.get(op.operation, "query")
    if kind == "mutation" and state.schema.mutation_type is None:
        raise validation("no mutations exist")
    if kind == "subscription" and state.schema.subscription_type is None:
        raise validation("no subscriptions exist")
    roots_map = {"mutation": state.mutation_roots, "subscription": state.subscription_roots,
                 "query": state.query_roots}[kind]
    root_object = {"mutation": state.schema.mutation_type,
                   "subscription": state.schema.subscription_type,
                   "query": state.schema.query_type}[kind]
    root_type = f"{kind}_root"
    values = Values()
    fields = collect([op.selection_set], {root_type}, "$.selectionSet", doc.fragments,
                     variables, values)
    roots: list[RootPlan] = []
    cacheable = True
    for sel in fields:
        if sel.name == "__typename":
            roots.append(LiteralRoot(sel.alias, orjson.dumps(root_type)))
            continue
        if sel.name in INTROSPECTION_FIELDS:
            roots.append(IntrospectionRoot(sel.alias))
            continue
        provided = state.provided.get((kind, sel.name))
        if provided is not None:
            roots.append(ProviderRoot(sel.alias, provided, sel))
            cacheable = False
            continue
        target = roots_map.get(sel.name)
        if target is None or root_object is None or sel.name not in root_object.fields:
            raise validation(f"field '{sel.name}' not found in type: '{root_type}'", sel.path)
        root_kind, info = target
        compiler = Compiler(model, state.role, options, doc.fragments,
                            variables, state.access, params())
        compiler.values = values
        compiler.relay = state.relay
        compiler.joins = state.joins
        plan = compile_root(compiler, root_kind, info, sel, root_type)
        if compiler.join_slots:
            if kind == "subscription":
                raise validation("remote relationships are not supported in subscriptions",
                                 sel.path)
            if not isinstance(plan, SqlRoot | SequenceRoot):
                raise validation(f"remote relationships are not supported in {sel.name}",
                                 sel.path)
            plan.joins = list(compiler.join_slots)
            cacheable = False
        roots.append(plan)
        if isinstance(plan, NestedInsertRoot):
            cacheable = False
    return Plan(kind, roots, cacheable), frozenset(values.structural)


def compile_root(compiler: Compiler, root_kind: str, info: Any, sel: Selected,
                 root_type: str | None = None) -> RootPlan:
    """The plan of one table, function or mutation root field."""
    if root_kind in RELAY_ROOTS:
        return SqlRoot(sel.alias, relay_root(compiler, root_kind, info, sel),
                       compiler.params.sources)
    if root_kind in ("function", "function_aggregate"):
        sql = function_root(compiler, info, sel, root_kind == "function_aggregate")
        return SqlRoot(sel.alias, sql, compiler.params.sources,
                       bare=None if root_kind == "function_aggregate" else compiler.bare_answer)
    acc = compiler.access(info.key)
    is_mutation = root_kind.split("_")[0] in ("insert", "update", "delete")
    root_type = root_type or ("mutation_root" if is_mutation else "query_root")
    missing = validation(f"field '{sel.name}' not found in type: '{root_type}'", sel.path)
    if root_kind == "select_stream":
        if acc.select is None:
            raise missing
        return StreamRoot(sel.alias, compile_stream(compiler, info, sel),
                          compiler.params.sources)
    if root_kind in ("select", "select_by_pk", "select_aggregate"):
        if acc.select is None or (root_kind == "select_aggregate"
                                  and not acc.select.allow_aggregations):
            raise missing
        compiler.reads_committed_rows = True
        if root_kind == "select":
            sql = select_root(compiler, info, sel)
        elif root_kind == "select_by_pk":
            sql = select_by_pk(compiler, info, sel)
        else:
            sql = select_aggregate(compiler, info, sel)
        return SqlRoot(sel.alias, sql, compiler.params.sources,
                       bare=compiler.bare_answer if root_kind == "select" else None)
    mc = MutationCompiler(compiler)
    if root_kind in ("insert", "insert_one"):
        if acc.insert is None:
            raise missing
        stmt = mc.insert(info, sel, root_kind == "insert_one")
        if stmt.literal is not None:
            return LiteralRoot(sel.alias, stmt.literal)
        if stmt.nested is not None:
            nested_info, _, objects, one, nested_args = stmt.nested
            return NestedInsertRoot(sel.alias, nested_info, sel, objects, one, nested_args)
        # Hasura reports a database error of an insert at the objects it was given.
        return SqlRoot(sel.alias, stmt.sql, stmt.sources, stmt.check_path,
                       error_path=stmt.check_path)
    if root_kind == "update_many":
        if acc.update is None:
            raise missing
        steps = [SqlRoot(sel.alias, s.sql, s.sources, s.check_path)
                 for s in UpdateCompiler(mc).update_many(info, sel)]
        if not steps:
            return LiteralRoot(sel.alias, b"[]")
        return SequenceRoot(sel.alias, steps)
    if root_kind in ("update", "update_by_pk"):
        if acc.update is None:
            raise missing
        stmt = UpdateCompiler(mc).update(info, sel, root_kind == "update_by_pk")
    else:
        if acc.delete is None:
            raise missing
        stmt = mc.delete(info, sel, root_kind == "delete_by_pk")
    return SqlRoot(sel.alias, stmt.sql, stmt.sources, stmt.check_path)
