"""The session a request runs as: its role and its ``x-hasura-*`` variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Session:
    """Who a request runs as, resolved from the admin secret, a JWT or the unauthorized role.

    ``variables`` holds every session variable with lower-cased names, ``x-hasura-role``
    included, exactly as Hasura passes them to SQL, actions and event triggers.
    """

    role: str
    variables: Mapping[str, str] = field(default_factory=dict)
    is_admin_secret: bool = False
    """True when the request proved the admin secret (Hasura lets such requests pick any role)."""
    expires_at: float | None = None
    """When the credentials end (a JWT's ``exp``, epoch seconds); a websocket closes then."""

    @property
    def is_admin(self) -> bool:
        """Whether the request runs with the admin role (no permission checks)."""
        return self.role == ADMIN_ROLE

    def get(self, name: str) -> str | None:
        """A session variable by name, case-insensitively (``X-Hasura-User-Id``)."""
        return self.variables.get(name.lower())
