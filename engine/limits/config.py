"""The ``api_limits`` metadata object, read into typed per-role limits.

Hasura's shape (``Hasura.RQL.Types.ApiLimit``)::

    api_limits:
      disabled: false
      depth_limit: {global: 10, per_role: {anonymous: 4}}
      node_limit:  {global: 50, per_role: {anonymous: 20}}
      time_limit:  {global: 10, per_role: {anonymous: 5}}      # seconds
      batch_limit: {global: 10, per_role: {anonymous: 5}}
      rate_limit:
        global: {max_reqs_per_min: 1200, unique_params: [x-hasura-user-id]}
        per_role: {anonymous: {max_reqs_per_min: 600, unique_params: IP}}

A role's own value wins over ``global``. As in Hasura, the limits never apply to the admin
role (the admin secret is the operator's own key).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from engine.session import ADMIN_ROLE

logger = logging.getLogger("engine.limits")

@dataclass(frozen=True)
class RateLimitConfig:
    """``{max_reqs_per_min, unique_params}`` of one role.

    ``unique_params`` is ``"IP"``, session variable names (lower-cased) or None (one bucket
    per role).
    """

    max_reqs_per_min: int
    unique_params: str | tuple[str, ...] | None = None

    @property
    def by_ip(self) -> bool:
        """Whether requests are counted per client address."""
        return self.unique_params == "IP"


@dataclass(frozen=True)
class RoleLimits:
    """The limits in force for one role; None means unlimited."""

    role: str
    depth: int | None = None
    nodes: int | None = None
    time_seconds: float | None = None
    batch: int | None = None
    rate: RateLimitConfig | None = None

    @cached_property
    def time_ms(self) -> int | None:
        """``time_seconds`` as PostgreSQL's ``statement_timeout`` (milliseconds, at least 1)."""
        if self.time_seconds is None:
            return None
        return max(1, int(self.time_seconds * 1000))

    @cached_property
    def unlimited(self) -> bool:
        """True when no limit applies."""
        return (self.depth is None and self.nodes is None and self.time_seconds is None
                and self.batch is None and self.rate is None)


class ApiLimits:
    """The metadata's ``api_limits``, answering per role (cached)."""

    def __init__(self, document: Mapping[str, Any] | None = None) -> None:
        self.document: Mapping[str, Any] = document or {}
        self.disabled = bool(self.document.get("disabled", False))
        self._roles: dict[str, RoleLimits] = {}

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any]) -> ApiLimits:
        """The limits of a v3 metadata document (none when it has no ``api_limits``)."""
        document = metadata.get("api_limits")
        return cls(document if isinstance(document, Mapping) else None)

    def for_role(self, role: str) -> RoleLimits:
        """The limits of ``role`` (nothing for admin, or when the limits are disabled)."""
        found = self._roles.get(role)
        if found is None:
            found = self._resolve(role)
            self._roles[role] = found
        return found

    def _resolve(self, role: str) -> RoleLimits:
        if self.disabled or role == ADMIN_ROLE:
            return RoleLimits(role)
        return RoleLimits(
            role,
            depth=_count(self._value("depth_limit", role), "depth_limit"),
            nodes=_count(self._value("node_limit", role), "node_limit"),
            time_seconds=_seconds(self._value("time_limit", role)),
            batch=_count(self._value("batch_limit", role), "batch_limit"),
            rate=_rate(self._value("rate_limit", role)),
        )

    def _value(self, kind: str, role: str) -> Any:
        limit = self.document.get(kind)
        if not isinstance(limit, Mapping):
            return None
        per_role = limit.get("per_role")
        if isinstance(per_role, Mapping) and role in per_role:
            return per_role[role]
        return limit.get("global")


def _count(value: Any, kind: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        logger.warning("api_limits.%s: %r is not a count; no limit applied", kind, value)
        return None
    return int(value)


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        logger.warning("api_limits.time_limit: %r is not a number of seconds", value)
        return None
    return float(value)


def _rate(value: Any) -> RateLimitConfig | None:
    if not isinstance(value, Mapping):
        return None
    count = _count(value.get("max_reqs_per_min"), "rate_limit")
    if count is None:
        return None
    params = value.get("unique_params")
    unique: str | tuple[str, ...] | None = None
    if isinstance(params, str) and params.lower() == "ip":
        unique = "IP"
    elif isinstance(params, list) and all(isinstance(p, str) for p in params) and params:
        unique = tuple(p.lower() for p in params)
    return RateLimitConfig(count, unique)


__all__ = ["ApiLimits", "RateLimitConfig", "RoleLimits"]
