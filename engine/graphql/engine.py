"""The GraphQL engine: documents in, JSON bytes out, one SQL statement per root field."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from time import monotonic
from typing import Any

import asyncpg
import orjson
from cachetools import LRUCache
from graphql import GraphQLSchema, OperationDefinitionNode, print_schema

from engine.catalog import Catalog, introspect
from engine.catalog.db import Connection
from engine.database_errors import connection_lost
from engine.graphql.bodies import data_body, error_body
from engine.graphql.documents import find_operation, parse_document
from engine.graphql.enums import load_enum_values
from engine.graphql.errors import GraphQLFieldError, validation
from engine.graphql.held_connections import HeldConnections
from engine.graphql.introspection import run_introspection
from engine.graphql.model import Model
from engine.graphql.operation_run import finish, run_database
from engine.graphql.options import EngineOptions
from engine.graphql.plan import ParsedDocument, Plan, PlanSlot, PreparedOperation, variables_key
from engine.graphql.planner import RoleState, compile_operation
from engine.graphql.providers import RootFieldProvider
from engine.graphql.resolve import build_model
from engine.graphql.role_states import relay_role_state, role_state
from engine.graphql.roots import RunContext
from engine.graphql.selection import used_variables
from engine.graphql.time_limit import NO_CONNECTION
from engine.graphql.variable_values import coerce_leaves, coerce_variables, operation_leaves
from engine.limits import ApiLimits
from engine.limits import operation as limit_checks
from engine.lru import Lru
from engine.session import ADMIN_ROLE, Session

log = logging.getLogger(__name__)


RETRY_WITHIN_SECONDS = 0.1
"""A query whose connection is found broken within this time, before any row came back,
runs again on another connection (:meth:`GraphQLEngine.answer`). A connection whose backend
ended while it was idle fails at once; a statement that ran longer and was then terminated
(an operator stopping it, say) is answered with the connection error."""

_NO_VARIABLES = variables_key(frozenset(), {})
"""The plan key of an operation without variables."""

_Checked = tuple[RoleState, ParsedDocument, OperationDefinitionNode, PlanSlot, str]
"""An operation that passed its checks: the role's state, its document, the operation, its
plans, and the role's cache key (with backend-only and Relay marks)."""


class GraphQLEngine:
    """Answers ``/v1/graphql`` requests for the metadata it was built with."""

    def __init__(self, pool: asyncpg.Pool, model: Model, metadata: Mapping[str, Any],
                 options: EngineOptions, providers: Sequence[RootFieldProvider]) -> None:
        self.pool = pool
        self.connections = HeldConnections(pool)
        """The pool's connections the read and write path takes and gives back."""
        self.model = model
        self.metadata = metadata
        self.options = options
        self.providers = list(providers)
        self.limits = ApiLimits.from_metadata(metadata)
        self._roles: dict[tuple[str, bool, bool], RoleState] = {}
        self._documents: Lru[tuple[str, str], ParsedDocument] = Lru(options.document_cache_size)
        self._operations: Lru[tuple[str, bool, bool, str, str | None], _Checked] = Lru(
            options.plan_cache_size)
        """Operations that passed every check of their syntax, with their plans, by role,
        backend-only, Relay, document text and operation name."""
        self._introspection: LRUCache[tuple[int, str, str | None, bytes], dict[str, bytes]] = (
            LRUCache(256))

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

    async def execute(self, payload: Any, session: Session, headers: Mapping[str, str],
                      relay: bool = False) -> bytes:
        """Answer a parsed ``/v1/graphql`` body (an object, or a list for a batch).

        ``relay``: answer with the Relay schema (``/v1beta1/relay``).
        """
        if isinstance(payload, list):
            parts = [await self._one(p, session, headers, relay) for p in payload]
            return b"[" + b",".join(parts) + b"]"
        try:  # one request: as _one, without its coroutine
            return await self.answer(self.prepare_http(payload, session, headers, relay))
        except Exception as exc:
            return error_body(exc)

    def prepare(self, payload: Any, session: Session,
                headers: Mapping[str, str], relay: bool = False) -> PreparedOperation:
        """Parse, validate and compile one GraphQL request body for ``session``'s role.

        Raises:
            GraphQLFieldError: the request is malformed or invalid for the role's schema.
        """
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
        name = op_name if isinstance(op_name, str) else None
        key = (role, backend, relay, query, name)
        checked = self._operations.get(key) if name is op_name else None
        if checked is None:
            checked = self._check(role, backend, relay, query, op_name, raw_vars)
            if name is op_name:
                self._operations.put(key, checked)
        state, doc, op, slot, role_key = checked
        # As Hasura: a variable sent must be used by the operation.
        if raw_vars:
            unexpected = raw_vars.keys() - doc.fact("variables", op, used_variables,
                                                    doc.fragments)
            if unexpected:
                raise validation("unexpected variables in variableValues: "
                                 + ", ".join(sorted(unexpected)))
        variables: dict[str, Any] = {}
        if op.variable_definitions:  # none declared: none sent either (refused above)
            # Variables of leaf types coerced directly (a missing non-null value is not:
            # see engine.graphql.variable_values), else as graphql-core does.
            leaves = doc.fact("leaf variables", op, operation_leaves, state.schema)
            fast = None if leaves is None else coerce_leaves(leaves, raw_vars)
            variables = fast if fast is not None else coerce_variables(
                state.schema, op.variable_definitions, raw_vars)
        known = slot.structural
        plan = slot.plans.get(_NO_VARIABLES if not variables and not known
                              else variables_key(known, variables))
        if plan is None:
            plan = self._plan(slot, state, doc, op, variables)
        return PreparedOperation(plan, state, doc, op, variables, session, headers,
                                 (role_key, query, name))

    def _check(self, role: str, backend: bool, relay: bool, query: str, op_name: Any,
               raw_vars: Mapping[str, Any]) -> _Checked:
        """What :meth:`prepare` works out from the syntax alone, once it passed every check.

        Raises:
            GraphQLFieldError: the document does not parse, has no such operation, is over
                the role's depth or node limit, or is invalid for the role's schema.
        """
        state = self._role(role, backend, relay)
        role_key = (f"{role}\0backend" if backend else role) + ("\0relay" if relay else "")
        doc = self._document(role_key, state, query)
        if doc.error is not None:
            raise doc.error
        op = find_operation(doc, op_name)
        # Limits first, for every transport: they read the syntax only, and an invalid
        # document is re-walked below to word its error as Hasura does, at its size's cost.
        # What the syntax decides (sizes, variables used) is worked out once per document.
        limits = self.limits.for_role(role)
        if limits.depth is not None or limits.nodes is not None:
            limit_checks.check_size(limits, *doc.fact(
                "size", op, limit_checks.measure_operation, doc.fragments))
        if doc.validation_errors:
            self._hasura_validation_error(state, doc, op, raw_vars)
            raise validation(doc.validation_errors[0].message)
        return state, doc, op, PlanSlot(), role_key

    async def answer(self, prepared: PreparedOperation) -> bytes:
        """Run a prepared query or mutation on a pooled connection (none if none is needed).

        A query's remote work (remote schema and action root fields, remote joins) runs
        after the connection was given back (see :mod:`engine.graphql.held_connections`):
        a slow remote holds no PostgreSQL connection. A mutation's root fields keep their
        order (remote joins of its answer still wait for the connection's release, as
        Hasura joins after the transaction).

        A query whose connection turns out broken at once, before any row came back, runs
        again, once, on another connection (:data:`RETRY_WITHIN_SECONDS`); a mutation
        never does (it may have been applied).

        Raises:
            GraphQLFieldError: a root field failed (e.g. a permission check).
            asyncpg.PostgresError: the database refused a statement.
        """
        plan = prepared.plan
        if not plan.needs_database:
            return await self.literal_body(prepared)
        connections = self.connections
        conn = connections.take_kept() or await connections.take()
        retry = plan.operation == "query"
        while True:
            values: list[bytes | None] = []
            clean = False
            sent = monotonic()
            try:
                if plan.plain_query and not self.limits.for_role(prepared.session.role).time_ms:
                    # The common case, without run_database's frame: a statement per root.
                    ctx = RunContext(self, conn, prepared, prepared.session.variables)
                    for root in plan.roots:
                        values.append(await root.run(ctx))
                else:
                    values = await run_database(self, conn, prepared,
                                                prepared.session.variables,
                                                plan.operation != "mutation", values)
                clean = True
            except Exception as exc:
                if not retry or values or not connection_lost(exc) \
                        or monotonic() - sent > RETRY_WITHIN_SECONDS:
                    raise
                # The connection broke at once, before any row came back: its backend
                # ended while it was idle (a restart, an idle timeout) and the end had not
                # reached the connection yet. A query only reads: it runs again, once, on
                # another connection.
                log.info("a query's connection was lost, running it again on another: %s",
                         exc)
            finally:
                # Kept for the next request when it finished cleanly, else released to the
                # pool (which drops a broken one).
                if not connections.keep(conn, clean):
                    await connections.release(conn)
            if clean:
                break
            retry = False
            conn = await connections.take()
        if plan.database_only:
            return data_body(plan.response_keys, values)  # type: ignore[arg-type]  # all ran
        return await finish(self, prepared, values)

    async def literal_body(self, prepared: PreparedOperation) -> bytes:
        """Run an operation none of whose root fields reads the database.

        ``__typename``, an insert of no objects, actions: no pooled connection is held while
        they run, so action handlers that call back into the engine cannot exhaust the pool.
        """
        return await self.run(NO_CONNECTION, prepared, prepared.session.variables)

    async def run(self, conn: Connection, prepared: PreparedOperation,
                  session_vars: Mapping[str, str]) -> bytes:
        """Run a prepared operation on ``conn``; the response body (``{"data": ...}``).

        A mutation runs in one transaction, with the session as ``hasura.user``.

        Raises:
            GraphQLFieldError: a root field failed (e.g. a permission check).
            asyncpg.PostgresError: the database refused a statement.
        """
        return await finish(self, prepared, await run_database(
            self, conn, prepared, session_vars, False, []))

    def forget_operations(self) -> None:
        """Drop every parsed document and compiled plan (the next requests start cold)."""
        self._documents.clear()
        self._operations.clear()

    # -- roles ---------------------------------------------------------------------------
    def _role(self, role: str, backend: bool = False, relay: bool = False) -> RoleState:
        state = self._roles.get((role, backend, relay))
        if state is None:
            state = (relay_role_state(self.model, role, backend) if relay else role_state(
                self.model, self.metadata, self.options, self.providers, role, backend))
            self._roles[(role, backend, relay)] = state
        return state

    # -- one request ---------------------------------------------------------------------
    async def _one(self, payload: Any, session: Session, headers: Mapping[str, str],
                   relay: bool = False) -> bytes:
        try:
            return await self.answer(self.prepare_http(payload, session, headers, relay))
        except Exception as exc:
            return error_body(exc)

    def prepare_http(self, payload: Any, session: Session, headers: Mapping[str, str],
                     relay: bool = False) -> PreparedOperation:
        """:meth:`prepare` for HTTP, which serves queries and mutations, not subscriptions.

        Raises:
            GraphQLFieldError: the request is invalid, or a subscription.
        """
        prepared = self.prepare(payload, session, headers, relay)
        if prepared.plan.operation == "subscription":
            raise GraphQLFieldError("subscriptions are not supported over HTTP, use "
                                    "websockets instead", "unexpected-payload")
        return prepared

    def _document(self, role: str, state: RoleState, query: str) -> ParsedDocument:
        key = (role, query)
        doc = self._documents.get(key)
        if doc is None:
            doc = parse_document(state.schema, query)
            self._documents.put(key, doc)
        return doc

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
    def _plan(self, slot: PlanSlot, state: RoleState, doc: ParsedDocument,
              op: OperationDefinitionNode, variables: dict[str, Any]) -> Plan:
        """Compile the plan :meth:`prepare` did not find in ``slot``, and keep it there."""
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
    def introspect_operation(self, prepared: PreparedOperation) -> dict[str, bytes]:
        """The introspection root fields of a prepared operation as JSON."""
        return self._introspect(prepared.state, prepared.document, prepared.operation,
                                prepared.variables)

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
        self._introspection[key] = answer
        return answer


__all__ = ["GraphQLEngine", "PreparedOperation"]
