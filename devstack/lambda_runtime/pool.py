"""The runtime's warm function instances: one worker process per function, started lazily."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import uuid
from typing import Any

from devstack.lambda_runtime.config import FunctionConfig

_LINE_LIMIT = 64 * 1024 * 1024  # Lambda's synchronous payload limit is 6 MB; leave headroom


class InvocationError(Exception):
    """The handler failed; ``payload`` is Lambda's ``{errorMessage, errorType, ...}`` body."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage", "handler failed"))
        self.payload = payload


class FunctionInstance:
    """One function's worker process; invocations are serialised, as on one Lambda instance."""

    def __init__(self, config: FunctionConfig) -> None:
        self.config = config
        self.process: asyncio.subprocess.Process | None = None
        self.lock = asyncio.Lock()

    async def _ensure_started(self) -> asyncio.subprocess.Process:
        if self.process is not None and self.process.returncode is None:
            return self.process
        env = {**os.environ, **self.config.environment}
        env.setdefault("AWS_LAMBDA_FUNCTION_NAME", self.config.name)
        env.setdefault("POWERTOOLS_SERVICE_NAME", self.config.name)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "devstack.lambda_runtime.worker",
            self.config.name, self.config.module, str(int(self.config.timeout * 1000)),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            env=env, limit=_LINE_LIMIT,
        )
        return self.process

    async def invoke(self, event: Any) -> Any:
        """Run the handler on ``event``; raise InvocationError the way Lambda reports one."""
        async with self.lock:
            process = await self._ensure_started()
            assert process.stdin is not None
            assert process.stdout is not None
            request = {"event": event, "request_id": str(uuid.uuid4())}
            process.stdin.write(json.dumps(request).encode() + b"\n")
            try:
                await process.stdin.drain()
                line = await asyncio.wait_for(process.stdout.readline(), self.config.timeout)
            except TimeoutError:
                await self.stop()
                raise InvocationError({
                    "errorMessage": f"Task timed out after {self.config.timeout:.2f} seconds",
                    "errorType": "Sandbox.Timedout",
                }) from None
            except (BrokenPipeError, ConnectionResetError):
                line = b""
            if not line:
                code = await process.wait()
                self.process = None
                raise InvocationError({
                    "errorMessage": f"Runtime exited with error: exit status {code}",
                    "errorType": "Runtime.ExitError",
                })
            reply: dict[str, Any] = json.loads(line)
            if "error" in reply:
                raise InvocationError(reply["error"])
            return reply["result"]

    async def stop(self) -> None:
        """End the worker process, if any."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 2)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


class FunctionPool:
    """Every configured function's instance, by name."""

    def __init__(self, functions: dict[str, FunctionConfig]) -> None:
        self.instances = {name: FunctionInstance(cfg) for name, cfg in functions.items()}

    def get(self, name: str) -> FunctionInstance | None:
        """The instance of function ``name`` (None when no such function exists)."""
        return self.instances.get(name)

    async def stop(self) -> None:
        """Stop every worker."""
        for instance in self.instances.values():
            await instance.stop()
