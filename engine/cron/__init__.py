"""Cron triggers: webhooks called on a schedule, each scheduled time delivered once.

Importing the package registers the listener the server starts and the metadata API
operations (see :mod:`engine.server.lifecycle`).
"""

from __future__ import annotations

from importlib import import_module

from engine.cron.service import CronTriggerService
from engine.server.lifecycle import register_listener

import_module("engine.cron.ops")  # registers the metadata API operations

SERVICE = register_listener(CronTriggerService())
"""The process's cron trigger service (started by the server's lifespan)."""

__all__ = ["SERVICE", "CronTriggerService"]
