"""An engine with JWT auth and fast polling over a small table owned by users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from devstack.services.engine import EngineHandle
from tests.engine.auth.keys import JwtKeys

INTERVAL_MS = 200
"""Refetch interval of the test engines (fast, so tests wait little)."""

SCHEMA = """
CREATE TABLE item (id serial PRIMARY KEY, owner text NOT NULL, label text NOT NULL,
                   value int NOT NULL DEFAULT 0);
INSERT INTO item (owner, label, value) VALUES ('alice', 'a1', 1), ('alice', 'a2', 2),
  ('bob', 'b1', 10);
"""

USER_SELECT: dict[str, Any] = {"columns": ["id", "label", "value"],
                               "filter": {"owner": {"_eq": "X-Hasura-User-Id"}},
                               "allow_aggregations": True}
TRACK: dict[str, Any] = {"type": "bulk", "args": [
    {"type": "pg_track_table", "args": {"table": "item"}},
    {"type": "pg_create_select_permission", "args": {"table": "item", "role": "user",
                                                     "permission": USER_SELECT}}]}


@dataclass
class SubscriptionEngine:
    """An engine, its database URL and a way to sign users' tokens."""

    handle: EngineHandle
    database_url: str
    keys: JwtKeys

    @property
    def url(self) -> str:
        """The engine's base URL."""
        return self.handle.server.url()

    def token(self, user: str, lifetime: int = 3600) -> str:
        """A JWT for ``user`` with role ``user``."""
        return self.keys.sign(self.keys.claims(user_id=user, lifetime=lifetime))

    def headers(self, user: str) -> dict[str, str]:
        """``connection_init`` headers for ``user``."""
        return {"Authorization": f"Bearer {self.token(user)}"}

    def sql(self, statement: str, *args: Any) -> None:
        """Run a statement on the engine's database (autocommit)."""
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            conn.execute(statement, args)

    def stats(self) -> dict[str, Any]:
        """The engine's pollers and the statements they ran (``/dev/subscriptions``)."""
        response = self.handle.http.get("/dev/subscriptions", headers=self.handle.admin_headers())
        assert response.status_code == 200, response.text
        stats: dict[str, Any] = response.json()
        return stats


def start_subscription_engine(start_engine: Callable[..., EngineHandle],
                              create_database: Callable[[str], str],
                              keys: JwtKeys, **env: str) -> SubscriptionEngine:
    """A fresh database with the item table, an engine over it with the metadata applied."""
    url = create_database("subs")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    handle = start_engine(url, jwt_secret=keys.rs256_config(), unauthorized_role=None,
                          extra_env={
                              "HASURA_GRAPHQL_LIVE_QUERIES_MULTIPLEXED_REFETCH_INTERVAL":
                                  str(INTERVAL_MS),
                              "HASURA_GRAPHQL_STREAMING_QUERIES_MULTIPLEXED_REFETCH_INTERVAL":
                                  str(INTERVAL_MS),
                              "HASURA_GRAPHQL_WEBSOCKET_KEEPALIVE": "1",
                              "HASURA_GRAPHQL_DEV_MODE": "true", **env})
    response = handle.metadata(TRACK)
    assert response.status_code == 200, response.text
    return SubscriptionEngine(handle, url, keys)


@pytest.fixture(scope="module")
def subs(start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
         jwt_keys: JwtKeys) -> SubscriptionEngine:
    """An engine for this module's subscription tests."""
    return start_subscription_engine(start_engine, create_database, jwt_keys)
