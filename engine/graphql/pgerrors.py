"""PostgreSQL errors mapped to Hasura's GraphQL error messages and codes."""

from __future__ import annotations

import asyncpg

from engine.database_errors import connection_lost
from engine.graphql.errors import GraphQLFieldError

_CONSTRAINT = {
    "23505": "Uniqueness violation. ",
    "23503": "Foreign key violation. ",
    "23502": "Not-NULL violation. ",
    "23514": "Check constraint violation. ",
    "23P01": "Exclusion violation. ",
    "23001": "Can not delete or update due to data being referred. ",
}


def map_postgres_error(exc: asyncpg.PostgresError, path: str = "$") -> GraphQLFieldError:
    """The GraphQL error Hasura answers for a database error (reported at ``path``).

    A lost connection is the request's error, not a field's: reported at ``$``, as Hasura.
    """
    error = _mapped(exc)
    if error.code not in _CONNECTION_CODES:
        error.path = path
    return error


def connection_error(exc: BaseException) -> GraphQLFieldError:
    """Hasura's answer when the connection to PostgreSQL broke or could not be made.

    ``connection error`` (``postgres-error``), or ``max connections reached on postgres``
    (``postgres-max-connections-error``) when the server refused one more connection. The
    driver's detail is kept as ``internal`` for the log, never sent.
    """
    detail = f"{type(exc).__name__}: {exc}"
    if getattr(exc, "sqlstate", None) == "53300":
        return GraphQLFieldError("max connections reached on postgres",
                                 "postgres-max-connections-error", internal=detail)
    return GraphQLFieldError("connection error", "postgres-error", internal=detail)


_CONNECTION_CODES = frozenset({"postgres-error", "postgres-max-connections-error"})


def _mapped(exc: asyncpg.PostgresError) -> GraphQLFieldError:
    state = getattr(exc, "sqlstate", "") or ""
    if state == "53300" or connection_lost(exc):
        return connection_error(exc)
    message = str(getattr(exc, "message", None) or exc)
    if state in _CONSTRAINT:
        return GraphQLFieldError(_CONSTRAINT[state] + message, "constraint-violation")
    if state.startswith("23"):
        return GraphQLFieldError("Integrity constraint violation. " + message,
                                 "constraint-violation")
    if state == "22025" or state == "42830":
        return GraphQLFieldError(message, "bad-request")
    if state.startswith("22"):
        return GraphQLFieldError(message, "data-exception")
    if state in ("40001", "40P01"):
        return GraphQLFieldError(message, "concurrent-update")
    if state.startswith("42"):
        return GraphQLFieldError(message, "bad-request" if state != "42501"
                                 else "permission-denied")
    if state == "57014":
        # statement_timeout (the role's time_limit) or an operator's cancel.
        return time_limit_exceeded()
    if state.startswith("P0"):
        return GraphQLFieldError(message, "unexpected")
    return GraphQLFieldError("database query error", "unexpected", internal=f"{state}: {message}")


def time_limit_exceeded() -> GraphQLFieldError:
    """The error of an operation cancelled by (or out of) its role's ``time_limit``."""
    return GraphQLFieldError("the operation was cancelled: it ran past its time limit",
                             "time-limit-exceeded")
