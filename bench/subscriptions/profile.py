"""``--profile``: the pollers in process under cProfile (no websockets), where the time goes."""

from __future__ import annotations

import cProfile
import io
import pstats

from bench.subscriptions.table import PERMISSION


async def profile_pollers(url: str, users: int, interval: float) -> str:
    """The pollers in process for ``users`` subscribers, under cProfile: the top functions."""
    import asyncpg

    from engine.graphql import EngineOptions, GraphQLEngine
    from engine.session import Session
    from engine.subscriptions.manager import SubscriptionManager, SubscriptionOptions

    pool = await asyncpg.create_pool(url, min_size=2, max_size=10)
    assert pool is not None
    metadata = {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": {"schema": "public", "name": "watch"},
         "select_permissions": [{"role": "user", "permission": PERMISSION}]}]}]}
    engine = await GraphQLEngine.build(pool, metadata, EngineOptions())
    manager = SubscriptionManager(pool, SubscriptionOptions(live_interval=interval))
    payload = {"query": "subscription { watch { value written_at } }"}
    sink_calls = [0]

    def sink(body: str) -> None:
        sink_calls[0] += 1

    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(users):
        session = Session("user", {"x-hasura-role": "user", "x-hasura-user-id": f"u{n}"})
        manager.subscribe(engine, engine.prepare(payload, session, {}), sink,
                          lambda body: None, payload)
    poller = manager.pollers[0]
    for _ in range(5):
        await poller.poll()
    profiler.disable()
    await manager.close()
    await pool.close()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(18)
    return text.getvalue()
