"""Calling a remote GraphQL server: introspection and queries, errors in Hasura's shape.

- The remote's own GraphQL errors are passed on as the remote wrote them.
- A remote that does not answer within ``timeout_seconds``, cannot be reached, or answers
  something that is not a GraphQL response is a clear ``remote-schema-error``, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
import orjson
from graphql import GraphQLSchema, build_client_schema, get_introspection_query

from engine.actions.webhook import NOT_FORWARDED
from engine.graphql.errors import GraphQLFieldError
from engine.remote.config import RemoteSchemaDef

logger = logging.getLogger("engine.remote")

REMOTE_ERROR = "remote-schema-error"


class RemoteCallError(GraphQLFieldError):
    """The remote could not be asked, or did not answer a GraphQL response.

    ``unreachable``: no HTTP answer at all (connection refused, timeout, DNS, TLS, ...).
    """

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message, REMOTE_ERROR, "$")
        self.unreachable = unreachable


class RemoteGraphQLError(GraphQLFieldError):
    """The remote answered GraphQL errors: every one is passed on as the remote wrote it.

    As Hasura does for a remote schema's root fields: the answer is the remote's ``errors``
    list, in order, without ``data``.
    """

    def __init__(self, errors: list[Any]) -> None:
        self.errors = [e if isinstance(e, dict) else {"message": str(e)} for e in errors] \
            or [{"message": "remote schema error"}]
        super().__init__(str(self.errors[0].get("message", "remote schema error")), REMOTE_ERROR)

    def to_json(self) -> dict[str, Any]:
        """The remote's first error object (``message``, ``locations``, ``path``, ...)."""
        return dict(self.errors[0])

    def error_objects(self) -> list[dict[str, Any]]:
        """Every error the remote answered, as it wrote them."""
        return [dict(e) for e in self.errors]


class RemoteJoinError(GraphQLFieldError):
    """A remote join's call answered errors: Hasura's ``Errors from remote server``.

    ``extensions.internal`` holds ``{"errors": [...]}`` (every remote error) when
    ``show_internal`` (Hasura shows internal errors to admin by default).
    """

    def __init__(self, errors: list[dict[str, Any]], show_internal: bool) -> None:
        super().__init__("Errors from remote server", "unexpected",
                         internal={"errors": errors})
        self.show_internal = show_internal

    def to_json(self) -> dict[str, Any]:
        """``{"message", "extensions": {"path", "code"[, "internal"]}}``."""
        body = super().to_json()
        if self.show_internal:
            body["extensions"]["internal"] = self.internal
        return body


def request_headers(remote: RemoteSchemaDef, client_headers: Mapping[str, str],
                    session: Mapping[str, str]) -> dict[str, str]:
    """Forwarded client headers (when enabled), session variables, then configured headers."""
    headers: dict[str, str] = {}
    if remote.forward_client_headers:
        headers.update({k: v for k, v in client_headers.items()
                        if k.lower() not in NOT_FORWARDED})
    headers.update({k: v for k, v in session.items() if k.startswith("x-hasura-")})
    headers.update(remote.header_values())
    headers["content-type"] = "application/json"
    return headers


async def post_graphql(http: httpx.AsyncClient, remote: RemoteSchemaDef, query: str,
                       headers: Mapping[str, str]) -> dict[str, Any]:
    """POST ``query`` to the remote; its ``data`` object.

    Raises:
        RemoteCallError: timeout, unreachable, a non-2xx answer without GraphQL errors, or
            an answer that is not a GraphQL response.
        RemoteGraphQLError: the remote answered errors.
    """
    try:
        response = await http.post(remote.url, content=orjson.dumps({"query": query}),
                                   headers=dict(headers), timeout=remote.timeout_seconds)
    except httpx.TimeoutException:
        raise RemoteCallError(
            f"the remote schema {remote.name!r} did not answer within "
            f"{remote.timeout_seconds:g} seconds", unreachable=True) from None
    except httpx.HTTPError as exc:
        logger.warning("remote schema %s unreachable: %s", remote.name, exc)
        raise RemoteCallError(f"the remote schema {remote.name!r} cannot be reached "
                              f"({type(exc).__name__})", unreachable=True) from None
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and body.get("errors"):
        errors = body["errors"]
        raise RemoteGraphQLError(errors if isinstance(errors, list) else [errors])
    if not response.is_success or not isinstance(body, dict) \
            or not isinstance(body.get("data"), dict):
        raise RemoteCallError(f"the remote schema {remote.name!r} answered HTTP "
                              f"{response.status_code} without a GraphQL response")
    data: dict[str, Any] = body["data"]
    return data


async def introspect_remote(http: httpx.AsyncClient, remote: RemoteSchemaDef
                            ) -> tuple[GraphQLSchema, dict[str, Any]]:
    """The remote's schema and its introspection answer (``introspect_remote_schema``).

    Raises:
        RemoteCallError, RemoteGraphQLError: the remote did not answer its schema.
    """
    data = await post_graphql(http, remote, get_introspection_query(descriptions=True),
                              {**remote.header_values(), "content-type": "application/json"})
    try:
        return build_client_schema(data), data  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError) as exc:
        raise RemoteCallError(f"the remote schema {remote.name!r} answered an unusable "
                              f"introspection: {exc}") from None
