"""The engines a conformance run targets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """An engine to run classes against (its admin secret, and the HS256 key it verifies)."""

    url: str
    admin_secret: str | None
    jwt_key: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    """The server environment this engine was started with (for classes with ``hge_env``)."""


def parse_env_target(spec: str, admin_secret: str | None, jwt_key: str | None) -> Target:
    """``NAME=VALUE[,NAME=VALUE...]@URL``: an engine started with that environment."""
    env_text, sep, url = spec.rpartition("@")
    if not sep or not env_text:
        raise ValueError(f"expected NAME=VALUE@URL, got {spec!r}")
    pairs = []
    for item in env_text.split(","):
        name, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"expected NAME=VALUE, got {item!r}")
        pairs.append((name, value))
    return Target(url, admin_secret, jwt_key, tuple(sorted(pairs)))
