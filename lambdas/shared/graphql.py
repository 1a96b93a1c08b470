"""A small GraphQL client over gql: documents with variables, admin secret in a header."""

from __future__ import annotations

from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from lambdas.shared.settings import GraphQLSettings


class GraphQLError(RuntimeError):
    """The engine answered with errors; the message carries their text, never variables."""


class GraphQLClient:
    """Runs documents against the engine as admin; one connection kept per warm instance."""

    def __init__(self, settings: GraphQLSettings) -> None:
        transport = HTTPXTransport(
            url=settings.endpoint,
            headers={"x-hasura-admin-secret": str(settings.admin_secret)},
            timeout=settings.timeout,
        )
        self._client = Client(transport=transport, execute_timeout=settings.timeout)

    def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run ``document`` with ``variables`` (values are never spliced into the text)."""
        request = GraphQLRequest(document, variable_values=variables)
        try:
            with self._client as session:
                result: dict[str, Any] = session.execute(request)
        except TransportQueryError as exc:
            messages = "; ".join(str(e.get("message", e)) for e in exc.errors or [])
            raise GraphQLError(messages or str(exc)) from None
        return result
