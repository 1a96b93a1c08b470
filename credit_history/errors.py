"""The service's errors: a message and a machine code (answered as GraphQL errors)."""

from __future__ import annotations


class CreditHistoryError(Exception):
    """Base of every error the service answers; ``code`` goes in the error's extensions."""

    code = "credit-history-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidNationalIdError(CreditHistoryError):
    """A national id that is not of the accepted shape."""

    code = "invalid-national-id"


class QueryFailedError(CreditHistoryError):
    """The query engine (Athena) failed or cancelled the query."""

    code = "query-failed"


class QueryTimeoutError(CreditHistoryError):
    """The query did not finish within the configured time."""

    code = "query-timeout"
