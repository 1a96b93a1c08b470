"""End-to-end requests/s and engine CPU per request through uvicorn, measured with wrk.

Starts a throw-away PostgreSQL and an engine process (devstack's ``EngineServer``), tracks a
small table and drives ``/v1/graphql`` with wrk (closed loop). Reports requests/s and the
engine process's CPU time per request (user + system, from psutil): the whole Python cost
of a request on a cached document, HTTP parsing and the asyncpg round trip included.

    .venv/bin/python -m bench.engine.endtoend [--seconds 10] [--connections 8]
"""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import psutil

from bench.engine.database import DATABASE, load_notes, throwaway_postgres
from common.engine_client import EngineClient
from devstack.ports import free_port
from devstack.services.engine import EngineServer

SECRET = "bench-secret"  # noqa: S105 - a throw-away engine
QUERY = '{"query": "query { note(where: {id: {_eq: 1}}) { id body } }"}'
LUA = """
wrk.method = "POST"
wrk.body = [==[%s]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hasura-Admin-Secret"] = "%s"
"""


def _run(url: str, seconds: int, connections: int, root: Path) -> None:
    engine = EngineServer(url, free_port(), admin_secret=SECRET, state_dir=root)
    engine.start()
    try:
        client = EngineClient(engine.url(), SECRET)
        client.metadata({"type": "pg_track_table", "args": {"table": "note"}}).raise_for_status()
        script = root / "post.lua"
        script.write_text(LUA % (QUERY, SECRET))
        assert engine.pid is not None
        process = psutil.Process(engine.pid)
        warm = ["wrk", "-t1", f"-c{connections}", "-d2s", "-s", str(script), engine.graphql_url()]
        subprocess.run(warm, check=True, capture_output=True)
        before = process.cpu_times()
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
             engine.graphql_url()], check=True, capture_output=True, text=True).stdout
        after = process.cpu_times()
        total = re.search(r"(\d+) requests in", out)
        rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
        if total is None or rate is None:
            raise SystemExit(f"cannot read wrk's output:\n{out}")
        requests = int(total.group(1))
        cpu = (after.user - before.user) + (after.system - before.system)
        print(f"{connections} connections, {seconds}s: {float(rate.group(1)):.0f} requests/s, "
              f"engine CPU {cpu / requests * 1e6:.0f} µs/request")
        client.close()
    finally:
        engine.stop()


def main() -> None:
    """Start PostgreSQL and the engine, measure, stop everything."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    with throwaway_postgres("bench-e2e-") as (server, root):
        load_notes(server.url(DATABASE))
        _run(server.url(DATABASE), args.seconds, args.connections, root)

if __name__ == "__main__":
    main()
