"""Event trigger definitions, read from the metadata (the v3 export JSON).

A table's ``event_triggers`` entry names the operations it captures, the webhook it calls,
the headers it sends and how it retries. Parsing happens once per metadata change, so the
delivery worker and the SQL capture work from typed values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.events.webhook import Header, WebhookConfigError, WebhookSpec

TRIGGER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,41}$")
"""Trigger names end up in SQL function names (63 bytes at most), so they are restricted."""

Operation = Literal["INSERT", "UPDATE", "DELETE"]
OPERATIONS: tuple[Operation, ...] = ("INSERT", "UPDATE", "DELETE")
MANUAL_OP = "MANUAL"


class EventTriggerConfigError(ValueError):
    """An event trigger definition that cannot be used (bad name, missing webhook, ...)."""

    code = "invalid-configuration"


@dataclass(frozen=True)
class RetryConf:
    """How often and how far apart a failed delivery is retried."""

    num_retries: int = 0
    interval_sec: int = 10
    timeout_sec: int = 60


@dataclass(frozen=True)
class OperationSpec:
    """One captured operation: the columns it watches and those it sends."""

    columns: tuple[str, ...] | None
    """Watched columns (an UPDATE fires only when one changed); None means every column."""
    payload: tuple[str, ...] | None = None
    """Columns put in ``data.old``/``data.new``; None means the whole row."""


@dataclass(frozen=True)
class EventTrigger:
    """An event trigger on one table."""

    name: str
    source: str
    schema: str
    table: str
    operations: Mapping[Operation, OperationSpec]
    webhook: WebhookSpec
    retry_conf: RetryConf = field(default_factory=RetryConf)
    enable_manual: bool = False
    comment: str | None = None


def _columns(value: Any, what: str) -> tuple[str, ...] | None:
    if value is None or value == "*":
        return None
    if isinstance(value, list) and all(isinstance(c, str) for c in value):
        return tuple(value)
    raise EventTriggerConfigError(f"{what} must be '*' or a list of column names")


def _operation(spec: Any, what: str) -> OperationSpec:
    if not isinstance(spec, Mapping):
        raise EventTriggerConfigError(f"{what} must be an object with 'columns'")
    return OperationSpec(
        columns=_columns(spec.get("columns", "*"), f"{what}.columns"),
        payload=_columns(spec.get("payload"), f"{what}.payload"),
    )


def _retry_conf(raw: Any) -> RetryConf:
    raw = raw or {}
    try:
        return RetryConf(
            num_retries=int(raw.get("num_retries", 0)),
            interval_sec=int(raw.get("interval_sec", 10)),
            timeout_sec=int(raw.get("timeout_sec", 60)),
        )
    except (TypeError, ValueError) as exc:
        raise EventTriggerConfigError(f"retry_conf: {exc}") from exc


def parse_event_trigger(
    raw: Mapping[str, Any], schema: str, table: str, source: str = "default"
) -> EventTrigger:
    """Parse one ``event_triggers`` entry of the table ``schema.table``."""
    name = raw.get("name")
    if not isinstance(name, str) or not TRIGGER_NAME.match(name):
        raise EventTriggerConfigError(
            f"event trigger name {name!r} must start with a letter and hold at most 42 "
            "letters, digits, '_' or '-'"
        )
    definition = raw.get("definition") or {}
    operations: dict[Operation, OperationSpec] = {}
    for op in OPERATIONS:
        spec = definition.get(op.lower())
        if spec is not None:
            operations[op] = _operation(spec, f"{name}.definition.{op.lower()}")
    enable_manual = bool(definition.get("enable_manual", False))
    if not operations and not enable_manual:
        raise EventTriggerConfigError(f"event trigger {name!r} captures no operation")
    webhook = WebhookSpec(
        url=raw.get("webhook"),
        url_from_env=raw.get("webhook_from_env"),
        headers=tuple(Header.parse(h) for h in raw.get("headers") or ()),
    )
    if webhook.url is None and webhook.url_from_env is None:
        raise EventTriggerConfigError(f"event trigger {name!r} has no webhook")
    return EventTrigger(
        name=name,
        source=source,
        schema=schema,
        table=table,
        operations=operations,
        webhook=webhook,
        retry_conf=_retry_conf(raw.get("retry_conf")),
        enable_manual=enable_manual,
        comment=raw.get("comment"),
    )


def iter_table_entries(metadata: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every (source name, table entry) of the PostgreSQL sources in ``metadata``."""
    for source in metadata.get("sources") or ():
        if source.get("kind", "postgres") != "postgres":
            continue
        for entry in source.get("tables") or ():
            yield source.get("name", "default"), entry


def event_triggers_from_metadata(
    metadata: Mapping[str, Any], on_error: Callable[[str], None] | None = None
) -> dict[str, EventTrigger]:
    """Every event trigger in the metadata, by name (names are unique per source).

    A definition that cannot be used raises, or with ``on_error`` is reported to it and
    left out, so one bad trigger does not stop the others.
    """
    found: dict[str, EventTrigger] = {}
    for source, entry in iter_table_entries(metadata):
        table = entry.get("table") or {}
        for raw in entry.get("event_triggers") or ():
            try:
                trigger = parse_event_trigger(
                    raw, table.get("schema", "public"), table["name"], source
                )
                if trigger.name in found:
                    raise EventTriggerConfigError(
                        f"event trigger {trigger.name!r} is defined twice"
                    )
            except (EventTriggerConfigError, WebhookConfigError) as exc:
                if on_error is None:
                    raise
                on_error(str(exc))
                continue
            found[trigger.name] = trigger
    return found
