"""One subscriber process: many websocket connections, one live query each.

Started by the benchmark as
``python -m bench.subscriptions.client URL SECRET FIRST COUNT [IN_FLIGHT]``.
Each connection runs as user ``u<n>`` (role ``user``, its own rows only) and subscribes to
``watch``. Prints ``ready`` once every subscription has its first result, then records,
for each later result, the latency from the writer's commit (``written_at`` in the row) to
its arrival. On ``stop`` (stdin) prints one JSON line: latencies, deliveries and each
user's last value.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

QUERY = "subscription { watch { value written_at } }"


async def _subscriber(url: str, secret: str, user: str, ready: asyncio.Queue[str],
                      out: dict[str, Any]) -> None:
    try:
        await _subscribe(url, secret, user, ready, out)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        out["failed"] += 1
        out.setdefault("errors", []).append(repr(exc)[:200])
        if user not in out["last"]:
            await ready.put(user)


async def _subscribe(url: str, secret: str, user: str, ready: asyncio.Queue[str],
                     out: dict[str, Any]) -> None:
    ws: ClientConnection = await connect(url, subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                                         open_timeout=600, ping_interval=None,
                                         max_queue=None)
    await ws.send(orjson.dumps({"type": "connection_init", "payload": {"headers": {
        "x-hasura-admin-secret": secret, "x-hasura-role": "user",
        "x-hasura-user-id": user}}}).decode())
    await ws.send(orjson.dumps({"type": "subscribe", "id": "1",
                                "payload": {"query": QUERY}}).decode())
    first = True
    async for raw in ws:
        now = time.time()
        message = orjson.loads(raw)
        kind = message.get("type")
        if kind == "ping":
            await ws.send('{"type":"pong"}')
            continue
        if kind != "next":
            continue
        rows = message["payload"]["data"]["watch"]
        value = rows[0]["value"] if rows else None
        out["last"][user] = value
        if first:
            first = False
            await ready.put(user)
            continue
        out["deliveries"] += 1
        if rows and rows[0]["written_at"] is not None:
            out["latencies"].append(now - rows[0]["written_at"])


async def main(url: str, secret: str, first: int, count: int, in_flight: int = 100) -> None:
    """Open ``count`` subscribers from user ``first``; report when told to stop."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    out: dict[str, Any] = {"latencies": [], "deliveries": 0, "last": {}, "failed": 0}
    ready: asyncio.Queue[str] = asyncio.Queue()
    tasks = []
    # At most ``in_flight`` subscribers waiting for their first result: a connection storm
    # would overflow the server's accept backlog and measure retransmission timers instead
    # of subscriptions.
    for n in range(first, first + count):
        tasks.append(asyncio.create_task(_subscriber(url, secret, f"u{n}", ready, out)))
        if n - first >= in_flight:
            await ready.get()
    for _ in range(min(count, in_flight)):
        await ready.get()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(orjson.dumps(out).decode(), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                     *(int(a) for a in sys.argv[5:6])))
