"""Reading settings from the environment: one way, with casts that name what is wrong.

Shaped after Starlette's ``config.py``: a setting is read by name from a mapping (the process
environment by default), cast to its type, with a default when it may be absent. A setting
that is required and missing, or present and not of its type, raises :class:`SettingsError`
whose message names the variable and says which of the two it is, so a service fails at
start-up (a Lambda at cold start) with a line its operator can act on. Values are never
echoed for secrets (:class:`Secret` never prints).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TypeVar

_Settings = TypeVar("_Settings")

_TRUE = frozenset({"true", "1", "yes", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "off", "f"})


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


class Secret:
    """A secret value that shows as ``**********`` in reprs, logs and tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself (only for comparing or passing on, never for printing)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Environ:
    """Typed reads of settings from ``env`` (default: the process environment).

    An empty value counts as unset, as it does for Hasura's variables.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def raw(self, name: str) -> str | None:
        """The stripped value of ``name``, or None when unset or empty."""
        value = self.env.get(name, "").strip()
        return value or None

    def text(self, name: str, default: str) -> str:
        """``name`` as text, ``default`` when unset."""
        return self.raw(name) or default

    def optional(self, name: str) -> str | None:
        """``name`` as text, None when unset."""
        return self.raw(name)

    def required(self, name: str, what: str = "") -> str:
        """``name`` as text; raises naming it when unset (``what`` says what it is)."""
        value = self.raw(name)
        if value is None:
            raise SettingsError(f"setting {name} is required{f' ({what})' if what else ''}")
        return value

    def secret(self, name: str) -> Secret | None:
        """``name`` as a :class:`Secret` (exactly as set, not stripped), None when unset."""
        value = self.env.get(name, "")
        return Secret(value) if value else None

    def number(self, name: str, default: float, *, minimum: float | None = None) -> float:
        """``name`` as a number, ``default`` when unset; raises when not a number or too small."""
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"setting {name} must be a number, got {raw!r}") from None
        return _at_least(name, value, minimum, raw)

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        """``name`` as an integer, ``default`` when unset; raises when not one or too small."""
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"setting {name} must be an integer, got {raw!r}") from None
        return int(_at_least(name, value, minimum, raw))

    def boolean(self, name: str, default: bool = False) -> bool:
        """``name`` as true/false (``true``/``1``/``yes``/``on``/``t`` and their opposites)."""
        raw = self.raw(name)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise SettingsError(f"setting {name} must be true or false, got {raw!r}")

    def items(self, name: str, default: str = "") -> tuple[str, ...]:
        """A comma-separated ``name`` as its non-empty entries."""
        raw = self.raw(name) or default
        return tuple(e.strip() for e in raw.split(",") if e.strip())


def load_settings(model: Callable[..., _Settings], service: str) -> _Settings:
    """``model()`` (a pydantic-settings class); invalid or missing settings exit naming each.

    The services that parse every payload with pydantic (actions, triggers, timeline,
    auctions) declare their settings as pydantic-settings models and build them through
    this, so a wrong setting stops each one at start-up the same way:
    ``<service>: invalid or missing settings: ['REDIS_URL', ...]``.
    """
    from pydantic import ValidationError  # only those services: Lambdas never import it

    try:
        return model()
    except ValidationError as exc:
        problems = [".".join(str(p) for p in e["loc"]).upper() or e["msg"] for e in exc.errors()]
        raise SystemExit(f"{service}: invalid or missing settings: {problems}") from exc


def _at_least(name: str, value: float, minimum: float | None, raw: str) -> float:
    if minimum is not None and value < minimum:
        raise SettingsError(f"setting {name} must be at least {minimum:g}, got {raw!r}")
    return value
