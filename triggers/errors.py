"""Errors the trigger handlers answer with: an HTTP status, a machine code and a message.

A non-2xx answer makes the engine retry the event or cron run as its ``retry_conf`` says,
so only failures worth retrying are 5xx.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class TriggerError(Exception):
    """An error answered as ``{message, extensions: {code}}``."""

    status = 400
    code = "bad-request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def body(self) -> dict[str, Any]:
        """The response body."""
        return {"message": self.message, "extensions": {"code": self.code}}

    def response(self) -> JSONResponse:
        """The error as a response."""
        return JSONResponse(self.body(), status_code=self.status)


class UnauthorizedCallerError(TriggerError):
    """The call did not prove the shared secret (it did not come from the engine)."""

    status = 401
    code = "access-denied"


class InvalidPayloadError(TriggerError):
    """The body is not the trigger payload the handler expects."""

    code = "invalid-payload"


class UpstreamError(TriggerError):
    """A dependency (the Lambda) failed; the engine's retry may help."""

    status = 502
    code = "upstream-failed"
