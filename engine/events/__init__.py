"""Event triggers: changes captured by PostgreSQL triggers, delivered to webhooks.

Importing the package registers the listener the server starts and the metadata API
operations (see :mod:`engine.server.lifecycle`).
"""

from __future__ import annotations

from importlib import import_module

from engine.events.service import EventTriggerService
from engine.server.lifecycle import register_listener

import_module("engine.events.ops")  # registers the metadata API operations

SERVICE = register_listener(EventTriggerService())
"""The process's event trigger service (started by the server's lifespan)."""

__all__ = ["SERVICE", "EventTriggerService"]
