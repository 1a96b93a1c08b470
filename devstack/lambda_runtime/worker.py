"""One function's execution environment: a child process that imports the handler once.

Like a warm Lambda instance it keeps module-level clients between invocations and runs one
invocation at a time. It reads one JSON request per line on stdin and answers one JSON line
on the original stdout; whatever the handler prints or logs goes to stderr (the log file).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass
class LocalContext:
    """The subset of Lambda's context object that handlers and Powertools read."""

    function_name: str
    timeout_ms: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    log_group_name: str = ""
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        """An ARN in the shape Lambda gives (account 000000000000 locally)."""
        region = os.environ.get("AWS_REGION", "us-east-1")
        return f"arn:aws:lambda:{region}:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out."""
        elapsed = int((time.monotonic() - self.started) * 1000)
        return max(self.timeout_ms - elapsed, 0)


def error_payload(exc: BaseException) -> dict[str, Any]:
    """The body Lambda returns for an unhandled handler exception."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def serve(function_name: str, module: str, timeout_ms: int, out: TextIO) -> None:
    """Import the handler, then answer invocations from stdin until it closes."""
    try:
        handler = importlib.import_module(module).handler
    except Exception as exc:  # an import error is reported on every invocation, as Lambda does
        init_error: dict[str, Any] | None = error_payload(exc)
        handler = None
    else:
        init_error = None
    for line in sys.stdin:
        request = json.loads(line)
        if handler is None:
            reply: dict[str, Any] = {"error": init_error}
        else:
            context = LocalContext(function_name, timeout_ms, request.get("request_id") or "")
            try:
                reply = {"result": handler(request["event"], context)}
            except Exception as exc:
                reply = {"error": error_payload(exc)}
                # Lambda logs an unhandled error to the function's log; so does this runtime.
                print(f"[{function_name}] {type(exc).__name__}: {exc}", file=sys.stderr,
                      flush=True)
        try:
            text = json.dumps(reply, default=str)
        except (TypeError, ValueError) as exc:
            text = json.dumps({"error": error_payload(exc)})
        out.write(text + "\n")
        out.flush()


def main() -> None:
    """``python -m devstack.lambda_runtime.worker <function> <module> <timeout_ms>``."""
    function_name, module, timeout_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    # Keep the real stdout for replies; send the handler's own output to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(function_name, module, timeout_ms, out)


if __name__ == "__main__":
    main()
