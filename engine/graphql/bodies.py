"""The JSON bodies of a GraphQL answer: ``{"data": ...}`` and ``{"errors": [...]}``."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import asyncpg
import orjson

from engine.database_errors import connection_lost
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.pgerrors import connection_error, map_postgres_error

log = logging.getLogger("engine.graphql.engine")


def errors_body(errors: Sequence[GraphQLFieldError]) -> bytes:
    """``{"errors": [...]}`` from GraphQL errors."""
    return orjson.dumps({"errors": [obj for e in errors for obj in e.error_objects()]})


def data_body(keys: Sequence[bytes], values: Sequence[bytes]) -> bytes:
    """``{"data": {...}}`` from each root field's response key and JSON value, in order.

    ``keys``: each key as JSON with its colon (``"alias":``), as
    :attr:`~engine.graphql.plan.Plan.response_keys` keeps them.
    """
    if len(keys) == 1 and len(values) == 1:
        return b'{"data":{' + keys[0] + values[0] + b"}}"
    if len(keys) != len(values):
        raise ValueError(f"{len(keys)} response keys for {len(values)} values")
    return b'{"data":{' + b",".join(map(bytes.__add__, keys, values)) + b"}}"


def error_body(exc: Exception) -> bytes:
    """The ``{"errors": [...]}`` answer for an exception raised preparing or running."""
    if isinstance(exc, GraphQLFieldError):
        return errors_body([exc])
    if isinstance(exc, asyncpg.PostgresError):
        mapped = map_postgres_error(exc)
        if mapped.internal:
            log.warning("database error answering a GraphQL request: %s", mapped.internal)
        return errors_body([mapped])
    if connection_lost(exc):
        error = connection_error(exc)
        log.warning("database connection lost answering a GraphQL request: %s",
                    error.internal)
        return errors_body([error])
    # A bug must not turn into a 500 with a traceback for the client; the log keeps it.
    log.error("unexpected error while answering a GraphQL request", exc_info=exc)
    return errors_body([GraphQLFieldError("unexpected error", "unexpected")])
