"""Dispatching one API request body (``{"type", "args", ...}``) to its operation."""

from __future__ import annotations

from typing import Any

from engine.metadata.context import OpContext
from engine.metadata.errors import MetadataError, parse_failed
from engine.metadata.ops import lookup


async def dispatch(ctx: OpContext, request: Any, path: str = "$") -> Any:
    """Run the operation ``request`` names; errors carry the path of the failing part."""
    if not isinstance(request, dict):
        raise parse_failed("expecting an object for the request", path)
    name = request.get("type")
    if not isinstance(name, str):
        raise parse_failed("key \"type\" not found", path)
    handler = lookup(ctx.api, name)
    if handler is None:
        what = "metadata command" if ctx.api == "metadata" else "query type"
        raise parse_failed(f"unknown {what} \"{name}\"", path)
    version = request.get("version", 1)
    ctx.request_version = version if isinstance(version, int) else 1
    outer = ctx.path
    ctx.path = f"{path}.args"
    try:
        return await handler(ctx, request.get("args", {}))
    except MetadataError as exc:
        if exc.path is None:
            exc.path = ctx.path
        raise
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        # Arguments of an unexpected shape reached an operation: a client error, not a 500.
        raise parse_failed(f"unexpected shape of the arguments ({type(exc).__name__}: {exc})",
                           ctx.path) from None
    finally:
        ctx.path = outer
