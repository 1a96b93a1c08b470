"""The metadata document as a whole (v1, v2 and v3), with actions, custom types and crons."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.metadata.typed.common import Header, Open, Qualified, RetryConf
from engine.metadata.typed.tables import Table


class TrackedFunction(Open):
    """A tracked SQL function (``{"function": ...}``; v1/v2 also list bare names)."""

    function: Qualified
    configuration: dict[str, Any] = Field(default_factory=dict)
    permissions: list[dict[str, Any]] = Field(default_factory=list)


class Source(Open):
    """A database and what is tracked in it."""

    name: str
    kind: str = "postgres"
    tables: list[Table] = Field(default_factory=list)
    functions: list[TrackedFunction] = Field(default_factory=list)
    configuration: dict[str, Any] = Field(default_factory=dict)


class ActionArgument(Open):
    """An argument of an action: a name and a GraphQL type."""

    name: str
    type: str


class ActionDefinition(Open):
    """What an action is: its handler, kind, arguments and output type."""

    handler: str
    kind: Literal["synchronous", "asynchronous"] = "synchronous"
    type: Literal["mutation", "query"] = "mutation"
    arguments: list[ActionArgument] = Field(default_factory=list)
    output_type: str
    headers: list[Header] = Field(default_factory=list)
    forward_client_headers: bool = False
    timeout: int | None = None


class ActionPermission(Open):
    """A role allowed to call the action."""

    role: str


class Action(Open):
    """A custom mutation or query served by a webhook."""

    name: str
    definition: ActionDefinition
    permissions: list[ActionPermission] = Field(default_factory=list)
    comment: str | None = None


class NamedType(Open):
    """A custom type (its fields are checked when the schema is built)."""

    name: str


class CustomTypes(Open):
    """The GraphQL types actions use."""

    input_objects: list[NamedType] = Field(default_factory=list)
    objects: list[NamedType] = Field(default_factory=list)
    scalars: list[NamedType] = Field(default_factory=list)
    enums: list[NamedType] = Field(default_factory=list)


class CronTrigger(Open):
    """A webhook called on a schedule."""

    name: str
    webhook: str
    schedule: str
    payload: Any = None
    include_in_metadata: bool = True
    retry_conf: RetryConf = Field(default_factory=RetryConf)
    headers: list[Header] = Field(default_factory=list)
    comment: str | None = None


class RemoteSchema(Open):
    """Another GraphQL server merged into the schema."""

    name: str
    definition: dict[str, Any]
    comment: str | None = None


class InheritedRole(Open):
    """A role made of other roles."""

    role_name: str
    role_set: list[str]


class _Shared(Open):
    """Top-level parts common to every version."""

    actions: list[Action] = Field(default_factory=list)
    custom_types: CustomTypes = Field(default_factory=CustomTypes)
    cron_triggers: list[CronTrigger] = Field(default_factory=list)
    remote_schemas: list[RemoteSchema] = Field(default_factory=list)
    query_collections: list[dict[str, Any]] = Field(default_factory=list)
    allowlist: list[dict[str, Any]] = Field(default_factory=list)
    inherited_roles: list[InheritedRole] = Field(default_factory=list)


class MetadataV3(_Shared):
    """Version 3: tables and functions per source."""

    version: Literal[3]
    sources: list[Source] = Field(default_factory=list)


class MetadataV1V2(_Shared):
    """Versions 1 and 2: one implicit database, tables and functions at the top."""

    version: Literal[1, 2] = 1
    tables: list[Table] = Field(default_factory=list)
    functions: list[TrackedFunction | Qualified] = Field(default_factory=list)
