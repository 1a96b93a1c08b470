"""A tracked table as the metadata describes it: relationships, permissions, event triggers."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, model_validator

from engine.metadata.typed.common import (
    BoolExp,
    Closed,
    Columns,
    Header,
    Open,
    Qualified,
    RetryConf,
)


class ForeignKeyOn(Open):
    """``foreign_key_constraint_on`` naming a column (or columns) of another table."""

    table: Qualified
    column: str | None = None
    columns: list[str] | None = None


class ManualConfiguration(Open):
    """A relationship given by a column mapping rather than a foreign key."""

    remote_table: Qualified
    column_mapping: dict[str, str]
    insertion_order: Literal["before_parent", "after_parent"] | None = None


class RelationshipUsing(Open):
    """How a relationship joins: exactly one of a foreign key or a manual mapping."""

    foreign_key_constraint_on: str | list[str] | ForeignKeyOn | None = None
    manual_configuration: ManualConfiguration | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> RelationshipUsing:
        given = [k for k in ("foreign_key_constraint_on", "manual_configuration")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("expecting exactly one of foreign_key_constraint_on or "
                             "manual_configuration")
        return self


class Relationship(Open):
    """An object or array relationship."""

    name: str
    using: RelationshipUsing
    comment: str | None = None


class ComputedField(Open):
    """A field computed by a SQL function of the row."""

    name: str
    definition: dict[str, Any]
    comment: str | None = None


class SelectPermission(Open):
    """Which rows and columns a role reads."""

    columns: Columns
    filter: BoolExp = Field(default_factory=dict)
    limit: int | None = None
    allow_aggregations: bool = False
    computed_fields: list[str] = Field(default_factory=list)
    query_root_fields: list[str] | None = None
    subscription_root_fields: list[str] | None = None


class InsertPermission(Open):
    """Which rows a role may insert, with which columns and presets."""

    check: BoolExp = Field(default_factory=dict)
    columns: Columns = Field(default_factory=list)
    set: dict[str, Any] = Field(default_factory=dict)
    backend_only: bool = False


class UpdatePermission(Open):
    """Which rows a role may update, which columns, and what they must look like after."""

    columns: Columns
    filter: BoolExp = Field(default_factory=dict)
    check: BoolExp | None = None
    set: dict[str, Any] = Field(default_factory=dict)
    backend_only: bool = False


class DeletePermission(Open):
    """Which rows a role may delete."""

    filter: BoolExp = Field(default_factory=dict)
    backend_only: bool = False


P = TypeVar("P", bound=BaseModel)


class PermissionEntry(Open, Generic[P]):
    """``{role, permission, comment}``, ``permission`` typed by the kind (select, insert, ...)."""

    role: str
    permission: P
    comment: str | None = None


class OperationSpec(Open):
    """Which columns an event trigger watches for one operation."""

    columns: Columns = Field(default_factory=lambda: ["*"])
    payload: Columns | None = None


class EventTriggerDefinition(Open):
    """The operations an event trigger fires on."""

    insert: OperationSpec | None = None
    update: OperationSpec | None = None
    delete: OperationSpec | None = None
    enable_manual: bool = False


class EventTrigger(Open):
    """An event trigger on the table."""

    name: str
    definition: EventTriggerDefinition
    retry_conf: RetryConf = Field(default_factory=RetryConf)
    webhook: str | None = None
    webhook_from_env: str | None = None
    headers: list[Header] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_webhook(self) -> EventTrigger:
        if (self.webhook is None) == (self.webhook_from_env is None):
            raise ValueError("expecting exactly one of webhook or webhook_from_env")
        return self


class CustomRootField(Open):
    """A root field's custom name (and comment)."""

    name: str | None = None
    comment: str | None = None


class ColumnConfig(Open):
    """A column's custom name (and comment)."""

    custom_name: str | None = None
    comment: str | None = None


class TableConfiguration(Open):
    """How a table shows in the GraphQL schema: its names and its columns' names."""

    custom_name: str | None = None
    custom_root_fields: dict[str, str | CustomRootField | None] = Field(default_factory=dict)
    custom_column_names: dict[str, str] = Field(default_factory=dict)
    column_config: dict[str, ColumnConfig] = Field(default_factory=dict)
    comment: str | None = None


class Table(Closed):
    """One tracked table (Hasura rejects unknown keys here, so a misspelt key is an error)."""

    table: Qualified
    is_enum: bool = False
    configuration: TableConfiguration = Field(default_factory=TableConfiguration)
    object_relationships: list[Relationship] = Field(default_factory=list)
    array_relationships: list[Relationship] = Field(default_factory=list)
    computed_fields: list[ComputedField] = Field(default_factory=list)
    remote_relationships: list[dict[str, Any]] = Field(default_factory=list)
    insert_permissions: list[PermissionEntry[InsertPermission]] = Field(default_factory=list)
    select_permissions: list[PermissionEntry[SelectPermission]] = Field(default_factory=list)
    update_permissions: list[PermissionEntry[UpdatePermission]] = Field(default_factory=list)
    delete_permissions: list[PermissionEntry[DeletePermission]] = Field(default_factory=list)
    event_triggers: list[EventTrigger] = Field(default_factory=list)
    apollo_federation_config: dict[str, Any] | None = None
