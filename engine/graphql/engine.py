"""The GraphQL engine: documents in, JSON bytes out, one SQL statement per root field."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    parse,
    print_schema,
    validate,
)
from graphql.execution.values import get_variable_values

from engine.catalog import Catalog, introspect
from engine.catalog.db import Connection
from engine.graphql.compiler import Compiler
from engine.graphql.enums import load_enum_values
from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.introspection import run_introspection
from engine.graphql.model import Model
from engine.graphql.mutations import CHECK_FAILED
from engine.graphql.nested import NestedInsert
from engine.graphql.options import EngineOptions
from engine.graphql.params import bind
from engine.graphql.pgerrors import map_postgres_error
from engine.graphql.plan import LRU, ParsedDocument, Plan, PlanSlot, RootPlan, variables_key
from engine.graphql.planner import RoleState, compile_operation
from engine.graphql.providers import FieldCall, ProvidedField, RootFieldProvider
from engine.graphql.resolve import build_model
from engine.graphql.roles import access
from engine.graphql.rules import RULES
from engine.graphql.schema import SchemaBuilder
from engine.session import ADMIN_ROLE, Session

log = logging.getLogger(__name__)

def _error_body(errors: list[GraphQLFieldError]) -> bytes:
    return orjson.dumps({"errors": [e.to_json() for e in errors]})


def _data_body(roots: list[RootPlan], values: list[bytes]) -> bytes:
    body = b",".join(orjson.dumps(r.alias) + b":" + v for r, v in zip(roots, values, strict=True))
    return b'{"data":{' + body + b"}}"


class GraphQLEngine:
    """Answers ``/v1/graphql`` requests for the metadata it was built with."""

    def __init__(self, pool: asyncpg.Pool, model: Model, metadata: Mapping[str, Any],
                 options: EngineOptions, providers: Sequence[RootFieldProvider]) -> None:
        self.pool = pool
        self.model = model
        self.metadata = metadata
        self.options = options
        self.providers = list(providers)
        self._roles: dict[tuple[str, bool], RoleState] = {}
        self._documents: LRU[tuple[str, str], ParsedDocument] = LRU(options.document_cache_size)
        self._plans: LRU[tuple[str, str, str | None], PlanSlot] = LRU(options.plan_cache_size)
        self._introspection: LRU[tuple[int, str, str | None, bytes], dict[str, bytes]] = LRU(256)

    @classmethod
    async def build(cls, pool: asyncpg.Pool, metadata: Mapping[str, Any],
                    options: EngineOptions | None = None,
                    providers: Sequence[RootFieldProvider] = ()) -> GraphQLEngine:
        """Introspect the database and resolve the metadata ; inconsistencies are recorded."""
        options = options or EngineOptions()
        async with pool.acquire() as conn:
            catalog = await introspect(conn)
            model = build_model(catalog, metadata)
            await load_enum_values(conn, model)
        return cls(pool, model, metadata, options, providers)

    # -- public interface ----------------------------------------------------------------
    @property
    def inconsistencies(self) -> list[dict[str, Any]]:
        """Metadata objects that do not match the database (Hasura's inconsistent objects)."""
        return list(self.model.inconsistencies)

    @property
    def catalog(self) -> Catalog:
        """The introspected database."""
        return self.model.catalog

    def roles(self) -> list[str]:
        """Every role that appears in the metadata, plus admin."""
        return sorted(self.model.roles | {ADMIN_ROLE})

    def schema(self, role: str) -> GraphQLSchema:
        """The graphql-core schema ``role`` sees."""
        return self._role(role).schema

    def schema_sdl(self, role: str) -> str:
        """The SDL of the schema ``role`` sees."""
        return print_schema(self._role(role).schema)

    async def execute(self, payload: Any, session: Session,
                      headers: Mapping[str, str]) -> tuple[int, bytes]:
        """Answer a parsed ``/v1/graphql`` body (an object, or a list for a batch)."""
        if isinstance(payload, list):
            parts = [await self._one(p, session, headers) for p in payload]
            return 200, b"[" + b",".join(parts) + b"]"
        return 200, await self._one(payload, session, headers)

    # -- roles ---------------------------------------------------------------------------
    def _role(self, role: str, backend: bool = False) -> RoleState:
        state = self._roles.get((role, backend))
        if state is None:
            provided: list[ProvidedField] = []
            for provider in self.providers:
                provided.extend(provider.fields_for_role(role, self.metadata))
            builder = SchemaBuilder(self.model, role, provided, backend)
            schema = builder.build()
            state = RoleState(role=role, schema=schema, access=builder.access)
            for info in self.model.tables.values():
                for kind, name in info.root.items():
                    target = state.mutation_roots if kind.split("_")[0] in (
                        "insert", "update", "delete") else state.query_roots
                    target[name] = (kind, info)
            for fn in self.model.functions.values():
                state.query_roots[fn.name] = ("function", fn)
                state.query_roots[f"{fn.name}_aggregate"] = ("function_aggregate", fn)
            for p in provided:
                state.provided[(p.operation, p.name)] = p
            self._roles[(role, backend)] = state
        return state

    # -- one request ---------------------------------------------------------------------
    async def _one(self, payload: Any, session: Session, headers: Mapping[str, str]) -> bytes:
        try:
            return await self._run(payload, session, headers)
        except GraphQLFieldError as exc:
            return _error_body([exc])
        except asyncpg.PostgresError as exc:
            mapped = map_postgres_error(exc)
            if mapped.internal:
                log.warning("database error answering a GraphQL request: %s", mapped.internal)
            return _error_body([mapped])
        except (asyncpg.InterfaceError, OSError) as exc:
            log.warning("database unavailable: %s", exc)
            return _error_body([GraphQLFieldError("database query error", "unexpected")])
        except Exception:
            # A bug must not turn into a 500 with a traceback for the client; the log keeps it.
            log.exception("unexpected error while answering a GraphQL request")
            return _error_body([GraphQLFieldError("unexpected error", "unexpected")])

    def _document(self, role: str, state: RoleState, query: str) -> ParsedDocument:
        key = (role, query)
        doc = self._documents.get(key)
        if doc is not None:
            return doc
        try:
            document = parse(query)
        except GraphQLSyntaxError as exc:
            doc = ParsedDocument(None, GraphQLFieldError(
                f"not a valid graphql query: {exc.message}", "validation-failed", "$.query"),
                [], {}, {})
            self._documents.put(key, doc)
            return doc
        errors = validate(state.schema, document, RULES)
        ops: dict[str | None, OperationDefinitionNode] = {}
        frags: dict[str, FragmentDefinitionNode] = {}
        for d in document.definitions:
            if isinstance(d, OperationDefinitionNode):
                ops[d.name.value if d.name else None] = d
            elif isinstance(d, FragmentDefinitionNode):
                frags[d.name.value] = d
        doc = ParsedDocument(document, None, list(errors), ops, frags)
        self._documents.put(key, doc)
        return doc

    async def _run(self, payload: Any, session: Session, headers: Mapping[str, str]) -> bytes:
        if not isinstance(payload, dict):
            raise GraphQLFieldError("expected an object for a GraphQL request", "parse-failed")
        extensions = payload.get("extensions")
        if isinstance(extensions, dict) and extensions.get("persistedQuery") is not None:
            raise GraphQLFieldError("Automatic Persisted Queries is not enabled", "not-supported")
        query = payload.get("query")
        if not isinstance(query, str):
            raise GraphQLFieldError("the key 'query' was not present", "parse-failed")
        raw_vars = payload.get("variables") or {}
        if not isinstance(raw_vars, dict):
            raise GraphQLFieldError("variables must be an object", "parse-failed", "$.variables")
        op_name = payload.get("operationName")
        role = session.role
        backend = session.is_admin_secret and str(headers.get(
            "x-hasura-use-backend-only-permissions", "")).lower() == "true"
        state = self._role(role, backend)
        doc = self._document(f"{role}\0backend" if backend else role, state, query)
        if doc.error is not None:
            raise doc.error
        op = self._operation(doc, op_name)
        if doc.validation_errors:
            self._hasura_validation_error(state, doc, op, raw_vars)
            raise self._graphql_error(doc.validation_errors[0])
        coerced = get_variable_values(state.schema, op.variable_definitions or (), raw_vars)
        if isinstance(coerced, list):
            raise self._graphql_error(coerced[0], path="$")
        variables: dict[str, Any] = dict(coerced.coerced)
        plan = self._plan(f"{role}\0backend" if backend else role, state, doc, op, query,
                          op_name, variables)
        return await self._execute_plan(plan, state, doc, op, session, headers, variables)

    def _operation(self, doc: ParsedDocument, name: Any) -> OperationDefinitionNode:
        if name is not None:
            op = doc.operations.get(str(name))
            if op is None:
                shown = orjson.dumps(name).decode()
                raise validation(f"no such operation found in the document: {shown}")
            return op
        if len(doc.operations) != 1:
            raise validation("exactly one operation has to be present in the document when "
                             "operationName is not specified")
        return next(iter(doc.operations.values()))

    @staticmethod
    def _graphql_error(error: GraphQLError, path: str = "$") -> GraphQLFieldError:
        return GraphQLFieldError(error.message, "validation-failed", path)

    def _hasura_validation_error(self, state: RoleState, doc: ParsedDocument,
                                 op: OperationDefinitionNode, raw_vars: Mapping[str, Any]) -> None:
        """Re-walk an invalid document to report the first error as Hasura words it."""
        try:
            self._compile(state, doc, op, dict(raw_vars))
        except GraphQLFieldError:
            raise
        except Exception:
            log.debug("no Hasura-shaped error for an invalid document", exc_info=True)

    # -- planning ------------------------------------------------------------------------
    def _plan(self, role: str, state: RoleState, doc: ParsedDocument,
              op: OperationDefinitionNode, query: str, op_name: Any,
              variables: dict[str, Any]) -> Plan:
        key = (role, query, op_name if isinstance(op_name, str) else None)
        slot = self._plans.get(key)
        if slot is None:
            slot = PlanSlot()
            self._plans.put(key, slot)
        vkey = variables_key(slot.structural, variables)
        plan = slot.plans.get(vkey)
        if plan is not None:
            return plan
        plan, structural = self._compile(state, doc, op, variables)
        if plan.cacheable:
            slot.structural = slot.structural | structural
            if len(slot.plans) > 64:
                slot.plans.clear()
            slot.plans[variables_key(slot.structural, variables)] = plan
        return plan

    def _compile(self, state: RoleState, doc: ParsedDocument, op: OperationDefinitionNode,
                 variables: dict[str, Any]) -> tuple[Plan, frozenset[str]]:
        return compile_operation(self.model, self.options, state, doc, op, variables)

    # -- execution -----------------------------------------------------------------------
    async def _execute_plan(self, plan: Plan, state: RoleState, doc: ParsedDocument,
                            op: OperationDefinitionNode, session: Session,
                            headers: Mapping[str, str], variables: dict[str, Any]) -> bytes:
        svars = session.variables
        bound = [bind(r.sources, variables, svars) if r.kind == "sql" else [] for r in plan.roots]
        out: list[bytes] = []
        introspection: dict[str, bytes] | None = None
        if all(r.kind == "literal" for r in plan.roots):
            # Nothing to ask the database (``__typename``, an insert of no objects).
            return _data_body(plan.roots, [r.literal for r in plan.roots])
        async with self.pool.acquire() as conn:
            if plan.operation == "mutation":
                async with conn.transaction():
                    await conn.execute("SELECT set_config('hasura.user', $1, true)",
                                       orjson.dumps(dict(svars)).decode())
                    for root, args in zip(plan.roots, bound, strict=True):
                        out.append(await self._root_value(conn, root, args, state, doc, op,
                                                          session, headers, variables))
            else:
                for root, args in zip(plan.roots, bound, strict=True):
                    if root.kind == "introspection":
                        if introspection is None:
                            introspection = self._introspect(state, doc, op, variables)
                        out.append(introspection.get(root.alias, b"null"))
                        continue
                    out.append(await self._root_value(conn, root, args, state, doc, op,
                                                      session, headers, variables))
        return _data_body(plan.roots, out)

    async def _root_value(self, conn: Connection, root: RootPlan, args: list[Any],
                          state: RoleState, doc: ParsedDocument, op: OperationDefinitionNode,
                          session: Session, headers: Mapping[str, str],
                          variables: dict[str, Any]) -> bytes:
        if root.kind == "literal":
            return root.literal
        if root.kind == "introspection":
            return self._introspect(state, doc, op, variables).get(root.alias, b"null")
        if root.kind == "provider":
            assert root.provided is not None
            assert root.selected is not None
            sel = root.selected
            compiler = Compiler(self.model, session.role, self.options, doc.fragments,
                                variables, state.access)
            call_args = compiler.values.deep(compiler.arguments(sel.node))
            return await root.provided.resolve(FieldCall(
                name=sel.name, alias=sel.alias, node=sel.node, arguments=call_args,
                session=session, headers=headers, fragments=doc.fragments, variables=variables))
        if root.kind == "sequence":
            parts = [await self._root_value(conn, step, bind(step.sources, variables,
                                                             session.variables),
                                            state, doc, op, session, headers, variables)
                     for step in root.steps]
            return b"[" + b",".join(parts) + b"]"
        if root.kind == "nested":
            info, sel, objects, one, nargs = root.nested

            def new_compiler() -> Compiler:
                return Compiler(self.model, session.role, self.options, doc.fragments,
                                variables, state.access)

            runner = NestedInsert(conn, new_compiler, variables, session.variables)
            text = await runner.run(info, sel, objects, one, nargs)
            return b"null" if text is None else text.encode()
        if root.check_path is not None:
            record = await conn.fetchrow(root.sql, *args)
            if record is not None and record[1] is False:
                raise GraphQLFieldError(CHECK_FAILED, "permission-error", root.check_path)
            text = None if record is None else record[0]
        else:
            text = await conn.fetchval(root.sql, *args)
        return b"null" if text is None else text.encode()

    def _introspect(self, state: RoleState, doc: ParsedDocument, op: OperationDefinitionNode,
                    variables: dict[str, Any]) -> dict[str, bytes]:
        """The introspection root fields of ``op`` as JSON (graphql-core runs them, cached)."""
        source = op.loc.source.body if op.loc is not None else ""
        key = (id(state), source, op.name.value if op.name else None,
               orjson.dumps(variables, option=orjson.OPT_SORT_KEYS))
        cached = self._introspection.get(key)
        if cached is not None:
            return cached
        answer = run_introspection(state.schema, op, doc.fragments, variables)
        self._introspection.put(key, answer)
        return answer


__all__ = ["GraphQLEngine", "access"]
