"""Every live subscription of the server: which poller serves it, re-planned on metadata change.

Pollers are found by (engine, role, document, operation) and the values of the variables
that shape the SQL; a new poller is compiled only for a new shape. A metadata change
prepares every active subscription again against the new engine: one that is still valid
moves to a poller of the new engine (keeping its last result hash, and a stream its
cursor), one that is not is ended with the error.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from engine.graphql.bodies import error_body
from engine.graphql.engine import GraphQLEngine
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.plan import PreparedOperation, variables_key
from engine.graphql.planner import compile_operation
from engine.session import Session
from engine.subscriptions.cohort import CohortParams, batch_statement, cohort_values
from engine.subscriptions.poller import Poller, Sink

logger = logging.getLogger("engine.subscriptions")


@dataclass(frozen=True)
class SubscriptionOptions:
    """Hasura's multiplexing settings (intervals in seconds)."""

    live_interval: float = 1.0
    """``HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL`` (ms there)."""
    live_batch_size: int = 100
    """``HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_BATCH_SIZE``."""
    stream_interval: float = 1.0
    """``HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_REFETCH_INTERVAL`` (ms there)."""
    stream_batch_size: int = 100
    """``HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_BATCH_SIZE``."""


Ended = Callable[[bytes], None]
"""Told, with the error body, that a metadata change ended the subscription."""


@dataclass(eq=False, slots=True)
class _Active:
    token: int
    payload: Mapping[str, Any]
    session: Session
    headers: Mapping[str, str]
    sink: Sink
    ended: Ended
    poller: Poller
    relay: bool = False
    """Started on the Relay endpoint (prepared again with the Relay schema)."""


@dataclass(eq=False)
class _Slot:
    structural: frozenset[str] = frozenset()
    pollers: dict[tuple[Any, ...], Poller] = field(default_factory=dict)


class SubscriptionManager:
    """Adds and removes subscribers, owns the pollers."""

    def __init__(self, pool: asyncpg.Pool, options: SubscriptionOptions) -> None:
        self.pool = pool
        self.options = options
        self._slots: dict[tuple[Any, ...], _Slot] = {}
        self._active: dict[int, _Active] = {}
        self._tokens = itertools.count(1)
        self._retired_statements = 0

    @property
    def pollers(self) -> list[Poller]:
        """The running pollers."""
        return [p for slot in self._slots.values() for p in slot.pollers.values()]

    def __len__(self) -> int:
        return len(self._active)

    def stats(self) -> dict[str, Any]:
        """Pollers, cohorts, subscribers and statements run (``/dev/subscriptions``)."""
        pollers = []
        for key, slot in self._slots.items():
            _, role, query, operation = key
            for poller in slot.pollers.values():
                pollers.append({"role": role.split("\0")[0], "query": query,
                                "operation_name": operation,
                                "kind": "streaming" if poller.statement.stream else "live",
                                "cohorts": len(poller.cohorts),
                                "subscribers": len(poller.members),
                                "statements": poller.statements,
                                "polls": poller.polls,
                                "mean_poll_ms": round(
                                    1000 * poller.poll_seconds / max(1, poller.polls), 1),
                                "last_poll_ms": round(1000 * poller.last_poll_seconds, 1)})
        live = sum(p["statements"] for p in pollers)
        return {"subscribers": len(self._active), "pollers": pollers,
                "statements": self._retired_statements + live}

    def subscribe(self, engine: GraphQLEngine, prepared: PreparedOperation, sink: Sink,
                  ended: Ended, payload: Mapping[str, Any]) -> int:
        """Start a subscription; returns its token (for :meth:`unsubscribe`).

        Raises:
            GraphQLFieldError: the subscription cannot be multiplexed, or a session
                variable it needs is missing.
        """
        token = next(self._tokens)
        poller = self._add(engine, prepared, token, sink, None, None)
        self._active[token] = _Active(token, payload, prepared.session, prepared.headers,
                                      sink, ended, poller, prepared.state.relay)
        return token

    def unsubscribe(self, token: int) -> None:
        """End a subscription (its poller stops with its last subscriber)."""
        active = self._active.pop(token, None)
        if active is not None:
            active.poller.remove(token)

    def rebuild(self, engine: GraphQLEngine) -> None:
        """Move every subscription to ``engine`` (the metadata changed), or end it."""
        old_slots = self._slots
        self._slots = {}
        for active in list(self._active.values()):
            old = active.poller
            cohort = old.members.get(active.token)
            last_hash = cohort.last_hash if cohort is not None else None
            cursor = None
            if cohort is not None and old.statement.cursor_slot is not None:
                cursor = cohort.values[old.statement.cursor_slot]
            old.remove(active.token)
            try:
                prepared = engine.prepare(active.payload, active.session, active.headers,
                                          active.relay)
                if prepared.plan.operation != "subscription":
                    raise GraphQLFieldError("the operation is no longer a subscription",
                                            "validation-failed")
                active.poller = self._add(engine, prepared, active.token, active.sink,
                                          last_hash, cursor)
            except Exception as exc:
                del self._active[active.token]
                active.ended(error_body(exc))
        for slot in old_slots.values():
            for poller in list(slot.pollers.values()):
                poller.stop()

    async def close(self) -> None:
        """Stop every poller and forget every subscription."""
        pollers = self.pollers
        self._active.clear()
        self._slots.clear()
        await asyncio.gather(*(p.wait_stopped() for p in pollers))

    # -- pollers -------------------------------------------------------------------------
    def _add(self, engine: GraphQLEngine, prepared: PreparedOperation, token: int, sink: Sink,
             last_hash: str | None, cursor: str | None) -> Poller:
        poller = self._poller(engine, prepared)
        stmt = poller.statement
        values = cohort_values(stmt.per_cohort, prepared.variables,
                               dict(prepared.session.variables))
        if cursor is not None and stmt.cursor_slot is not None:
            values[stmt.cursor_slot] = cursor
        poller.add(token, sink, values, last_hash)
        return poller

    def _poller(self, engine: GraphQLEngine, prepared: PreparedOperation) -> Poller:
        key = (engine, *prepared.cache_key)
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        poller = slot.pollers.get(variables_key(slot.structural, prepared.variables))
        if poller is not None:
            return poller
        params = CohortParams()
        plan, structural = compile_operation(engine.model, engine.options, prepared.state,
                                             prepared.document, prepared.operation,
                                             prepared.variables, lambda: params)
        statement = batch_statement(plan, params)
        slot.structural = slot.structural | structural
        vkey = variables_key(slot.structural, prepared.variables)
        options = self.options
        interval = options.stream_interval if statement.stream else options.live_interval
        size = options.stream_batch_size if statement.stream else options.live_batch_size

        def on_empty(stopped: Poller) -> None:
            self._retired_statements += stopped.statements
            if slot.pollers.get(vkey) is stopped:
                del slot.pollers[vkey]
            if not slot.pollers and self._slots.get(key) is slot:
                del self._slots[key]

        poller = Poller(statement, self.pool, interval, size, on_empty)
        slot.pollers[vkey] = poller
        return poller
