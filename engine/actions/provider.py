"""Hasura actions in the engine: root fields per role, run against their HTTP handlers.

A synchronous action calls its handler during the request and answers the checked, shaped
output. An asynchronous one stores the call and answers its id at once; a worker calls the
handler and keeps the result, which the query ``<action>(id:)`` reads back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson
from graphql import GraphQLArgument, GraphQLField, GraphQLNonNull, GraphQLObjectType, print_ast

from engine.actions.definitions import ActionDef, read_actions
from engine.actions.errors import ActionHandlerError, unexpected
from engine.actions.handler_client import HandlerClient
from engine.actions.log import ActionLog, LoggedCall
from engine.actions.output import OutputMismatchError, check_output, project
from engine.actions.types import CustomTypes
from engine.actions.webhook import action_body, call_handler, request_headers
from engine.database_errors import DATABASE_ERRORS
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.providers import FieldCall, ProvidedField
from engine.repeated_warning import RepeatedWarning

logger = logging.getLogger("engine.actions")
POLL_SECONDS = 0.2


def _session_variables(call: FieldCall) -> dict[str, str]:
    variables = {k.lower(): str(v) for k, v in call.session.variables.items()}
    variables.setdefault("x-hasura-role", call.session.role)
    return variables


_PRINTED: dict[int, tuple[Any, str]] = {}
"""Printed request queries by field node: parsed documents are cached, so a node recurs."""


def _request_query(call: FieldCall, operation: str) -> str:
    """The field as a query, printed once per parsed node (printing costs more than the call)."""
    node = call.node
    known = _PRINTED.get(id(node))
    if known is not None and known[0] is node:
        return known[1]
    text = f"{operation} {{ {print_ast(node)} }}"
    if len(_PRINTED) >= 1024:
        _PRINTED.clear()
    _PRINTED[id(node)] = (node, text)
    return text


class ActionsProvider:
    """The actions of the metadata: a root-field provider and a metadata listener."""

    def __init__(self) -> None:
        self.log: ActionLog | None = None
        self.http: HandlerClient | None = None
        self.actions: dict[str, ActionDef] = {}
        self.custom_types: Mapping[str, Any] = {}
        self._worker: asyncio.Task[None] | None = None

    # -- metadata listener -------------------------------------------------------------
    async def start(self, pool: asyncpg.Pool, metadata: Mapping[str, Any]) -> None:
        """Keep the pool, create the log table and start the asynchronous worker."""
        self.log = ActionLog(pool)
        await self.log.ensure()
        await self.apply(metadata)
        self._worker = asyncio.create_task(self._work(), name="async-actions")

    async def apply(self, metadata: Mapping[str, Any]) -> None:
        """Take the metadata's actions and custom types."""
        self.actions = {a.name: a for a in read_actions(metadata)}
        self.custom_types = metadata.get("custom_types") or {}

    async def stop(self) -> None:
        """Stop the worker and close the HTTP client."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self.http is not None:
            await self.http.aclose()
            self.http = None

    def _client(self) -> HandlerClient:
        if self.http is None:
            self.http = HandlerClient()
        return self.http

    # -- root-field provider -------------------------------------------------------------
    def fields_for_role(self, role: str, metadata: Mapping[str, Any]) -> Sequence[ProvidedField]:
        """The action fields ``role`` may use, typed from the metadata's custom types."""
        types = CustomTypes(metadata.get("custom_types") or {})
        fields: list[ProvidedField] = []
        for action in read_actions(metadata):
            if not action.allowed(role):
                continue
            try:
                output = types.output_type(action.output_type)
                if action.kind == "asynchronous":
                    fields.extend(self._async_fields(action, types, output))
                else:
                    fields.append(ProvidedField(action.operation, action.name,
                                                types.field(action, output),
                                                self._sync_resolver(action, output)))
            except (KeyError, ValueError, TypeError) as exc:
                logger.warning("action %s left out of the schema: %s", action.name, exc)
        return fields

    def _sync_resolver(self, action: ActionDef, output: Any) -> Any:
        async def resolve(call: FieldCall) -> bytes:
            answer = await self._run(action, call.arguments, _session_variables(call),
                                     call.headers, _request_query(call, action.operation))
            try:
                check_output(answer, output)
            except OutputMismatchError as exc:
                raise unexpected(str(exc)) from None
            shaped = project(answer, output, call.node.selection_set, call.fragments,
                             call.variables)
            return orjson.dumps(shaped)

        return resolve

    async def _run(self, action: ActionDef, arguments: Mapping[str, Any],
                   session: Mapping[str, str], headers: Mapping[str, str], query: str) -> Any:
        body = action_body(action, arguments, session, query)
        return await call_handler(self._client(), action, body,
                                  request_headers(action, headers))

    def _async_fields(self, action: ActionDef, types: CustomTypes, output: Any
                      ) -> list[ProvidedField]:
        uuid_type: Any = types.named("uuid")
        result_type = GraphQLObjectType(action.name, {
            "id": GraphQLField(GraphQLNonNull(uuid_type)),
            "created_at": GraphQLField(GraphQLNonNull(types.named("timestamptz"))),  # type: ignore[arg-type]
            "errors": GraphQLField(types.named("json")),  # type: ignore[arg-type]
            "output": GraphQLField(output),
        }, description=f"The result of the asynchronous action {action.name}")

        async def submit(call: FieldCall) -> bytes:
            if self.log is None:
                raise unexpected("asynchronous actions are not available yet")
            forwarded = request_headers(action, call.headers) if action.forward_client_headers \
                else {}
            call_id = await self.log.create(action.name, dict(call.arguments),
                                            forwarded, _session_variables(call))
            return orjson.dumps(call_id)

        async def result(call: FieldCall) -> bytes:
            if self.log is None:
                raise unexpected("asynchronous actions are not available yet")
            logged = await self.log.get(str(call.arguments.get("id", "")))
            if logged is None or not _same_caller(logged, call):
                return b"null"
            value = {"id": logged.id, "created_at": logged.created_at.isoformat(),
                     "errors": logged.errors, "output": logged.output}
            shaped = project(value, result_type, call.node.selection_set, call.fragments,
                             call.variables)
            return orjson.dumps(shaped)

        mutation = types.field(action, GraphQLNonNull(uuid_type))
        query = GraphQLField(result_type, args={"id": GraphQLArgument(GraphQLNonNull(uuid_type))},
                             description=action.comment)
        return [ProvidedField("mutation", action.name, mutation, submit),
                ProvidedField("query", action.name, query, result)]

    # -- asynchronous worker -------------------------------------------------------------
    async def _work(self) -> None:
        warning = RepeatedWarning(logger, "async actions: cannot read the log")
        while True:
            try:
                calls = await self.log.claim() if self.log is not None else []
                warning.succeeded()
            except DATABASE_ERRORS as exc:
                warning.failed(exc)
                calls = []
            except Exception:  # a bug must not stop the worker for good: log, poll again
                logger.exception("async actions: claiming calls failed")
                calls = []
            for logged in calls:
                try:
                    await self._process(logged)
                except DATABASE_ERRORS as exc:  # left 'processing': retried at the next start
                    warning.failed(exc)
                except Exception:
                    logger.exception("async actions: processing call %s failed", logged.id)
            if not calls:
                await asyncio.sleep(POLL_SECONDS)

    async def _process(self, logged: LoggedCall) -> None:
        assert self.log is not None
        action = self.actions.get(logged.action_name)
        if action is None:
            await self.log.finish(logged.id, errors={
                "message": f"action {logged.action_name!r} no longer exists",
                "extensions": {"code": "not-found"}})
            return
        output_type = CustomTypes(self.custom_types).output_type(action.output_type)
        query = f"mutation {{ {action.name} }}"
        try:
            answer = await self._run(action, logged.input, logged.session_variables,
                                     logged.headers, query)
            check_output(answer, output_type)
        except OutputMismatchError as exc:
            await self.log.finish(logged.id, errors={
                "message": str(exc), "extensions": {"path": "$", "code": "unexpected"}})
        except ActionHandlerError as exc:
            await self.log.finish(logged.id, errors=exc.to_json())
        except GraphQLFieldError as exc:
            await self.log.finish(logged.id, errors=exc.to_json())
        else:
            await self.log.finish(logged.id, output=answer)


def _same_caller(logged: LoggedCall, call: FieldCall) -> bool:
    """Only the caller who submitted (same user id), or admin, may read the result."""
    if call.session.is_admin:
        return True
    submitted = logged.session_variables.get("x-hasura-user-id")
    return submitted is None or submitted == call.session.get("x-hasura-user-id")
