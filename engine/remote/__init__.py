"""Remote schemas and remote relationships, as Hasura serves them.

Importing the package registers the provider (root fields and table join fields of every
role's schema, introspected before each schema build) and the metadata API operations.
"""

from __future__ import annotations

from importlib import import_module

from engine.metadata.sync import register_invalidation
from engine.remote.provider import RemoteSchemas
from engine.server.lifecycle import register_listener, register_provider

PROVIDER = RemoteSchemas()
"""The process's remote schemas (one provider for every schema the server builds)."""

register_provider(PROVIDER)
register_listener(PROVIDER)
# reload_remote_schema made through another engine instance: introspect again here too.
register_invalidation("remote_schemas", PROVIDER.stale.update)
import_module("engine.remote.ops")  # registers the metadata API operations
import_module("engine.remote.consistency")  # registers replace_metadata's remote check

__all__ = ["PROVIDER", "RemoteSchemas"]
