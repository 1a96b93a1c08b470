"""Hasura actions in the local engine: schema, permissions, sync and async execution.

Importing the package (the server does, see :mod:`engine.server.lifecycle`) registers the
actions provider (root fields), its background worker and the metadata API operations.
"""

from __future__ import annotations

from engine.actions import ops as _ops  # noqa: F401 - registers the metadata operations
from engine.actions.provider import ActionsProvider
from engine.server.lifecycle import register_listener, register_provider

PROVIDER = ActionsProvider()
register_provider(PROVIDER)
register_listener(PROVIDER)

__all__ = ["PROVIDER", "ActionsProvider"]
