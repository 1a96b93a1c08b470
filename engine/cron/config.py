"""Cron trigger definitions, read from the metadata's ``cron_triggers``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.cron.schedule import Schedule
from engine.events.config import TRIGGER_NAME
from engine.events.webhook import Header, WebhookConfigError, WebhookSpec


class CronTriggerConfigError(ValueError):
    """A cron trigger definition that cannot be used."""

    code = "invalid-configuration"


@dataclass(frozen=True)
class CronRetryConf:
    """Retries of one scheduled run, and how late a missed run may still be delivered."""

    num_retries: int = 0
    retry_interval_seconds: int = 10
    timeout_seconds: int = 60
    tolerance_seconds: int = 21600
    """A run missed while no engine was up is still delivered this long after its time."""


@dataclass(frozen=True)
class CronTrigger:
    """A webhook called on a schedule."""

    name: str
    schedule: Schedule
    webhook: WebhookSpec
    payload: Any = None
    retry_conf: CronRetryConf = field(default_factory=CronRetryConf)
    include_in_metadata: bool = True
    comment: str | None = None


def parse_retry_conf(raw: Any) -> CronRetryConf:
    """Parse a ``retry_conf`` (cron triggers and one-off events share its shape)."""
    raw = raw or {}
    try:
        return CronRetryConf(
            num_retries=int(raw.get("num_retries", 0)),
            retry_interval_seconds=int(raw.get("retry_interval_seconds", 10)),
            timeout_seconds=int(raw.get("timeout_seconds", 60)),
            tolerance_seconds=int(raw.get("tolerance_seconds", 21600)),
        )
    except (TypeError, ValueError) as exc:
        raise CronTriggerConfigError(f"retry_conf: {exc}") from exc


def parse_cron_trigger(raw: Mapping[str, Any]) -> CronTrigger:
    """Parse one ``cron_triggers`` entry."""
    name = raw.get("name")
    if not isinstance(name, str) or not TRIGGER_NAME.match(name):
        raise CronTriggerConfigError(
            f"cron trigger name {name!r} must start with a letter and hold at most 42 "
            "letters, digits, '_' or '-'"
        )
    webhook = raw.get("webhook")
    if not isinstance(webhook, str) or not webhook:
        raise CronTriggerConfigError(f"cron trigger {name!r} has no webhook")
    try:
        schedule = Schedule(str(raw.get("schedule", "")))
    except ValueError as exc:
        raise CronTriggerConfigError(f"cron trigger {name!r}: {exc}") from exc
    return CronTrigger(
        name=name,
        schedule=schedule,
        webhook=WebhookSpec(
            url=webhook, headers=tuple(Header.parse(h) for h in raw.get("headers") or ())
        ),
        payload=raw.get("payload"),
        retry_conf=parse_retry_conf(raw.get("retry_conf")),
        include_in_metadata=bool(raw.get("include_in_metadata", True)),
        comment=raw.get("comment"),
    )


def cron_triggers_from_metadata(
    metadata: Mapping[str, Any], on_error: Callable[[str], None] | None = None
) -> dict[str, CronTrigger]:
    """Every cron trigger in the metadata, by name.

    A definition that cannot be used raises, or with ``on_error`` is reported to it and
    left out.
    """
    found: dict[str, CronTrigger] = {}
    for raw in metadata.get("cron_triggers") or ():
        try:
            trigger = parse_cron_trigger(raw)
            if trigger.name in found:
                raise CronTriggerConfigError(f"cron trigger {trigger.name!r} is defined twice")
        except (CronTriggerConfigError, WebhookConfigError) as exc:
            if on_error is None:
                raise
            on_error(str(exc))
            continue
        found[trigger.name] = trigger
    return found
