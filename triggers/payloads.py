"""The bodies the engine posts, parsed at the boundary (Hasura's event and cron shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from triggers.errors import InvalidPayloadError


class TableRef(BaseModel):
    """The table an event comes from."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: str = Field(alias="schema")
    name: str


class TriggerRef(BaseModel):
    """The event trigger's name."""

    name: str


class EventData(BaseModel):
    """The change: operation, rows and the session that made it."""

    op: str
    data: dict[str, Any]
    session_variables: dict[str, str] | None = None
    trace_context: dict[str, Any] | None = None


class EventPayload(BaseModel):
    """An event trigger's body."""

    id: str
    created_at: datetime
    table: TableRef
    trigger: TriggerRef
    event: EventData
    delivery_info: dict[str, int] | None = None


class CronPayload(BaseModel):
    """A cron trigger's body."""

    id: str | None = None
    name: str
    scheduled_time: datetime
    payload: Any = None
    comment: str | None = None


Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], body: bytes) -> Model:
    """``body`` as ``model``, or an InvalidPayloadError naming what is wrong."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidPayloadError(f"not a {model.__name__}: {problems}") from None


class ScheduledEventPayload(BaseModel):
    """A one-off scheduled event's body."""

    id: str
    scheduled_time: datetime
    payload: Any = None
    comment: str | None = None
    created_at: datetime | None = None
