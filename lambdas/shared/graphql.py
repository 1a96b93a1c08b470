"""A small GraphQL client over gql: documents with variables, admin secret in a header."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from functools import cache
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportError, TransportQueryError
from gql.transport.httpx import HTTPXTransport
from graphql import DocumentNode, parse

from lambdas.shared.settings import GraphQLSettings


class GraphQLError(RuntimeError):
    """The engine answered with errors; the message carries their text, never variables."""


class GraphQLClient:
    """Runs documents against the engine as admin; one connection kept per warm instance."""

    def __init__(self, settings: GraphQLSettings) -> None:
        transport = HTTPXTransport(
            url=settings.endpoint,
            headers={"x-hasura-admin-secret": settings.admin_secret.reveal()},
            timeout=settings.timeout,
        )
        self._client = Client(transport=transport, execute_timeout=settings.timeout)
        self._session: Any = None
        self._documents: dict[str, DocumentNode] = {}
        self._state = {"open": False}
        # A client dropped without close() still closes its connection when collected.
        weakref.finalize(self, _close_client, self._client, self._state)

    def __enter__(self) -> GraphQLClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connected(self) -> Any:
        # One connection per warm instance: a new one per call costs a TCP handshake and
        # a client set-up on every trigger invocation.
        if self._session is None:
            self._session = self._client.connect_sync()  # type: ignore[no-untyped-call]
            self._state["open"] = True
        return self._session

    def _parsed(self, document: str) -> DocumentNode:
        parsed = self._documents.get(document)
        if parsed is None:
            parsed = self._documents[document] = parse(document)
        return parsed

    def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run ``document`` with ``variables`` (values are never spliced into the text)."""
        request = GraphQLRequest(self._parsed(document), variable_values=variables)
        try:
            return self._send(request)
        except TransportError:
            # The engine restarted or dropped the connection: reconnect and retry once
            # (the functions' writes are upserts, so a repeat is harmless).
            self.close()
            return self._send(request)

    def _send(self, request: GraphQLRequest) -> dict[str, Any]:
        try:
            result: dict[str, Any] = self._connected().execute(request)
        except TransportQueryError as exc:
            messages = "; ".join(str(e.get("message", e)) for e in exc.errors or [])
            raise GraphQLError(messages or str(exc)) from None
        return result

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        if self._session is not None:
            self._session = None
            _close_client(self._client, self._state)


def _close_client(client: Client, state: dict[str, bool]) -> None:
    if state["open"]:
        state["open"] = False
        client.close_sync()  # type: ignore[no-untyped-call]


def client_from_environment() -> Callable[[], GraphQLClient]:
    """Read the engine's settings now; the returned function builds the client once, on use.

    A handler module calls this at import (``graphql = client_from_environment()``), so a
    missing setting fails the cold start with its name, and the connection is opened by the
    first invocation and kept while the instance is warm.
    """
    settings = GraphQLSettings.from_environment()
    return cache(lambda: GraphQLClient(settings))
