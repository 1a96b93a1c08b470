"""Building blocks of the typed metadata model: names, headers, column lists, retry settings."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Open(BaseModel):
    """An object whose known keys are typed; keys this model does not know are kept.

    Hasura accepts keys the local engine does not use (``request_transform``, ``comment``
    on older objects, ...): the typed model checks what it knows and lets the rest through.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Closed(BaseModel):
    """An object Hasura parses strictly: an unknown key is an error (a typo, usually)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _name_object(value: Any) -> Any:
    """``"name"`` as ``{"name": "name"}`` (schema defaults to ``public``)."""
    if isinstance(value, str):
        return {"name": value}
    if not isinstance(value, dict):
        raise ValueError('expecting a name or {"schema", "name"}')
    return value


class QualifiedName(Open):
    """A table or function: ``{"schema", "name"}`` or a bare name in ``public``."""

    name: str
    schema_: str = Field("public", alias="schema")


Qualified = Annotated[QualifiedName, BeforeValidator(_name_object)]


def _columns(value: Any) -> Any:
    if value == "*":
        return ["*"]
    if not isinstance(value, list):
        raise ValueError('expecting a list of column names or "*"')
    return value


Columns = Annotated[list[str], BeforeValidator(_columns)]
"""A column list, or ``"*"`` for every column."""


class Header(Open):
    """A header sent with a webhook: a fixed value or one read from the environment."""

    name: str
    value: str | None = None
    value_from_env: str | None = None


class RetryConf(Open):
    """How often and how long a trigger delivery is retried."""

    num_retries: int = 0
    interval_sec: int = 10
    timeout_sec: int = 60
    tolerance_seconds: int | None = None


BoolExp = dict[str, Any]
"""A boolean expression (its columns and operators are checked against the database)."""
