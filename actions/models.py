"""What Hasura posts to an action handler, parsed before any logic runs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ActionName(BaseModel):
    """``{"name": "login"}``."""

    name: str


class ActionPayload(BaseModel):
    """Hasura's action request body (``request_query`` is kept but unused)."""

    model_config = ConfigDict(extra="ignore")

    action: ActionName
    input: dict[str, Any] = Field(default_factory=dict)
    session_variables: dict[str, str] = Field(default_factory=dict)
    request_query: str | None = None


class SessionVariables(BaseModel):
    """The caller's session as the engine resolved it (names lower-cased)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    role: str = Field(alias="x-hasura-role")
    user_id: str | None = Field(default=None, alias="x-hasura-user-id")


class StrictInput(BaseModel):
    """Base of every action's input: unknown fields are refused, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
