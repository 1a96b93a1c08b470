"""Runs the event trigger service alone in a process, so a test can kill it mid-delivery.

Environment: ``DATABASE_URL``, ``METADATA`` (the metadata JSON) and the delivery settings.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal

import asyncpg

from engine.events.service import EventTriggerService


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=1, max_size=4)
    service = EventTriggerService()
    await service.start(pool, json.loads(os.environ["METADATA"]))
    print("worker started", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await service.stop()
    await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
