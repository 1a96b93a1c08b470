"""``replace_metadata`` refuses remote schemas that do not answer, as Hasura does.

Hasura builds the new schema before it keeps a replaced metadata: a remote schema whose
server cannot be introspected is an inconsistent object, and the replacement is refused
(``cannot continue due to inconsistent metadata``, the objects under ``internal``) unless
``allow_inconsistent_metadata``. ``add_remote_schema`` and ``update_remote_schema``
introspect on their own; this check covers the replacement of the whole metadata. A remote
schema already introspected with the same definition is not asked again.
"""

from __future__ import annotations

from typing import Any

from engine.graphql.errors import GraphQLFieldError
from engine.metadata.checks import register_check
from engine.metadata.consistency import Inconsistency
from engine.metadata.context import OpContext
from engine.remote.client import RemoteCallError, introspect_remote
from engine.remote.config import RemoteSchemaConfigError, read_remote_schema
from engine.remote.provider import definition_key


def _provider() -> Any:
    from engine.remote import PROVIDER  # the package registers this module: import late

    return PROVIDER


def _remover(name: str) -> Any:
    def remove(metadata: Any) -> None:
        metadata["remote_schemas"] = [e for e in metadata.get("remote_schemas") or ()
                                      if e.get("name") != name]
    return remove


@register_check
async def unreachable_remote_schemas(ctx: OpContext) -> list[Inconsistency]:
    """The remote schemas of a replaced metadata that do not answer their introspection."""
    if not ctx.replaced:
        return []
    provider = _provider()
    found: list[Inconsistency] = []
    for entry in ctx.metadata.get("remote_schemas") or ():
        name = str(entry.get("name"))
        loaded = provider.loaded.get(name)
        if loaded is not None and loaded.key == definition_key(entry) \
                and name not in provider.stale:
            continue
        try:
            definition = read_remote_schema(entry)
        except RemoteSchemaConfigError as exc:
            reason = str(exc)
        else:
            try:
                await introspect_remote(provider.http(), definition)
                continue
            except RemoteCallError as exc:
                reason = (f"HTTP exception occurred while sending the request to "
                          f"{definition.url}" if exc.unreachable else exc.message)
            except GraphQLFieldError as exc:
                reason = exc.message
        found.append(Inconsistency("remote_schema", f"remote_schema {name}", reason, entry,
                                   _remover(name)))
    return found
