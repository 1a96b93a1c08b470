"""Errors the trigger handlers answer with: an HTTP status, a machine code and a message.

A non-2xx answer makes the engine retry the event or cron run as its ``retry_conf`` says,
so only failures worth retrying are 5xx. The body is shaped by the project's one error
base (:mod:`common.errors`); a caller without the shared secret gets its
``AccessDeniedError``.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from common.errors import ServiceError


def error_response(error: ServiceError) -> JSONResponse:
    """``error`` as a response: its body and its status."""
    return JSONResponse(error.to_json(), status_code=error.status)


class TriggerError(ServiceError):
    """A trigger handler's failure, answered as ``{message, extensions: {code}}``."""


class InvalidPayloadError(TriggerError):
    """The body is not the trigger payload the handler expects."""

    code = "invalid-payload"


class UpstreamError(TriggerError):
    """A dependency (the Lambda) failed; the engine's retry may help."""

    status = 502
    code = "upstream-failed"
