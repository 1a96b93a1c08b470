"""Actions as the metadata describes them, read into typed definitions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

DEFAULT_TIMEOUT = 30.0  # seconds, Hasura's default action timeout

_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class UnsetVariableError(LookupError):
    """A ``value_from_env`` or a ``{{VAR}}`` template names an unset environment variable."""


def resolve_template(text: str, env: Mapping[str, str]) -> str:
    """``text`` with each ``{{VAR}}`` replaced by the variable's value (handler, webhook URLs).

    Raises:
        UnsetVariableError: a variable ``env`` lacks (the message names it and ``text``).
    """

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = env.get(name)
        if found is None:
            raise UnsetVariableError(f"environment variable {name!r} used in {text!r} is not set")
        return found

    return _TEMPLATE.sub(value, text)


@dataclass(frozen=True)
class HeaderSpec:
    """A configured header (actions, remote schemas, triggers): a fixed value or a variable's."""

    name: str
    value: str | None = None
    value_from_env: str | None = None

    def resolved(self, env: Mapping[str, str]) -> str | None:
        """The value to send now: the variable's when ``value_from_env`` is set, else ``value``.

        None when neither is configured (nothing is sent). Each caller turns
        :class:`UnsetVariableError` into its own error (its message names the variable and
        the header, never a value).

        Raises:
            UnsetVariableError: ``value_from_env`` names a variable ``env`` lacks.
        """
        if self.value_from_env is None:
            return self.value
        value = env.get(self.value_from_env)
        if value is None:
            raise UnsetVariableError(f"environment variable {self.value_from_env!r} for header "
                                     f"{self.name!r} is not set")
        return value


def resolved_headers(specs: Iterable[HeaderSpec], env: Mapping[str, str]) -> dict[str, str]:
    """Each configured header with its value now (a header with none is left out).

    Raises:
        UnsetVariableError: a ``value_from_env`` names a variable ``env`` lacks.
    """
    out: dict[str, str] = {}
    for spec in specs:
        value = spec.resolved(env)
        if value is not None:
            out[spec.name] = value
    return out


@dataclass(frozen=True)
class Argument:
    """An argument of the action's field (``type`` is GraphQL type text, ``String!``)."""

    name: str
    type: str


@dataclass(frozen=True)
class ActionDef:
    """One action of the metadata."""

    name: str
    operation: Literal["query", "mutation"]
    kind: Literal["synchronous", "asynchronous"]
    handler: str
    output_type: str
    arguments: Sequence[Argument] = ()
    headers: Sequence[HeaderSpec] = ()
    forward_client_headers: bool = False
    timeout: float = DEFAULT_TIMEOUT
    roles: frozenset[str] = frozenset()
    comment: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def allowed(self, role: str) -> bool:
        """Whether ``role`` may run the action (admin always may)."""
        return role == "admin" or role in self.roles


def read_action(entry: Mapping[str, Any]) -> ActionDef:
    """An :class:`ActionDef` from a metadata ``actions`` entry."""
    definition = entry.get("definition") or {}
    operation = definition.get("type", "mutation")
    kind = definition.get("kind", "synchronous")
    if operation == "query":
        kind = "synchronous"  # Hasura runs query actions synchronously only
    headers = tuple(
        HeaderSpec(h["name"], h.get("value"), h.get("value_from_env"))
        for h in definition.get("headers") or ()
    )
    return ActionDef(
        name=str(entry["name"]),
        operation="query" if operation == "query" else "mutation",
        kind="asynchronous" if kind == "asynchronous" else "synchronous",
        handler=str(definition.get("handler", "")),
        output_type=str(definition.get("output_type", "")),
        arguments=tuple(Argument(a["name"], a["type"])
                        for a in definition.get("arguments") or ()),
        headers=headers,
        forward_client_headers=bool(definition.get("forward_client_headers", False)),
        timeout=float(definition.get("timeout") or DEFAULT_TIMEOUT),
        roles=frozenset(p["role"] for p in entry.get("permissions") or () if "role" in p),
        comment=entry.get("comment"),
        raw=entry,
    )


def read_actions(metadata: Mapping[str, Any]) -> list[ActionDef]:
    """Every action of the metadata."""
    return [read_action(a) for a in metadata.get("actions") or ()]
