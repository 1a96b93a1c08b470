"""Closed-loop HTTP load with wrk: N connections, each sending its next request on an answer.

wrk (C, event loop) costs a fraction of what the servers under test spend per request,
so it is not the bottleneck; its own CPU is still measured. A Lua script sets the POST
body and headers, counts GraphQL ``errors`` in 200 answers, and prints a JSON summary.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bench.load.stats import Latency, LoadResult

RESULT_MARKER = "WRK_RESULT "

_LUA = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
{headers}

local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  graphql_errors = 0
  uncheckable = 0
end

-- GraphQL servers put "errors" first or last: look at both ends only, so that scanning a
-- 170 kB introspection answer does not make wrk the bottleneck.
function response(status, headers, body)
  if status == 200 then
    if headers["Content-Encoding"] ~= nil or headers["content-encoding"] ~= nil then
      uncheckable = uncheckable + 1
    elseif string.find(string.sub(body, 1, 256), '"errors"', 1, true)
        or string.find(string.sub(body, -4096), '"errors"', 1, true) then
      graphql_errors = graphql_errors + 1
    end
  end
end

function done(summary, latency, requests)
  local gql, unchecked = 0, 0
  for _, thread in ipairs(threads) do
    gql = gql + thread:get("graphql_errors")
    unchecked = unchecked + thread:get("uncheckable")
  end
  local e = summary.errors
  io.write(string.format(
    '{marker}{{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"graphql_errors":%d,"unchecked":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f}}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, gql, unchecked, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def wrk_binary() -> str:
    """The wrk executable, installed from Debian when missing (the bench needs it, nothing else)."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                   capture_output=True)
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       capture_output=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed and `apt-get install wrk` did not provide it")
    return found


def lua_script(body: str, headers: Mapping[str, str]) -> str:
    """The wrk script for one request body and header set."""
    if "]==]" in body:
        raise ValueError("request body cannot be embedded in a Lua long string")
    header_lines = "\n".join(
        f"wrk.headers[{json.dumps(name)}] = {json.dumps(str(value))}"
        for name, value in headers.items()
    )
    return _LUA.format(body=body, headers=header_lines, marker=RESULT_MARKER)


def parse_output(stdout: str) -> dict[str, float]:
    """The JSON summary line printed by the script's ``done``."""
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            data: dict[str, float] = json.loads(line[len(RESULT_MARKER):])
            return data
    raise RuntimeError(f"wrk printed no result:\n{stdout}")


def run_wrk(url: str, body: str, headers: Mapping[str, str], connections: int,
            duration_s: float, threads: int = 1, timeout_s: float = 10.0) -> LoadResult:
    """Run wrk against ``url`` and return what it measured (generator CPU included)."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        script = Path(tmp) / "request.lua"
        script.write_text(lua_script(body, headers))
        argv = [wrk_binary(), f"-t{max(1, min(threads, connections))}", f"-c{connections}",
                f"-d{max(1, round(duration_s))}s", f"--timeout={timeout_s:g}s", "-s", str(script),
                url]
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as process:
            # wait4, not wait: it also returns the CPU wrk used (its output is a few lines,
            # so the pipes cannot fill up before it exits)
            _, status, rusage = _wait4(process.pid)
            process.returncode = status
            stdout = process.stdout.read() if process.stdout else ""
            stderr = process.stderr.read() if process.stderr else ""
    if status != 0:
        raise RuntimeError(f"wrk failed ({status}): {stderr}")
    data = parse_output(stdout)
    errors = int(data["connect"] + data["read"] + data["write"] + data["status"]
                 + data["timeout"] + data["graphql_errors"])
    return LoadResult(
        requests=int(data["requests"]),
        errors=errors,
        duration_s=data["duration_us"] / 1e6,
        latency=Latency(p50_ms=data["p50"] / 1e3, p90_ms=data["p90"] / 1e3,
                        p99_ms=data["p99"] / 1e3, max_ms=data["max"] / 1e3,
                        mean_ms=data["mean"] / 1e3),
        bytes_received=int(data["bytes"]),
        generator_cpu_s=rusage,
        detail={"tool": "wrk", "connections": connections,
                "unchecked_compressed": int(data["unchecked"]),
                "status_errors": int(data["status"]),
                "graphql_errors": int(data["graphql_errors"])},
    )


def _wait4(pid: int) -> tuple[int, int, float]:
    """Wait for ``pid`` and return (pid, exit code, its CPU seconds)."""
    import os

    waited, status, usage = os.wait4(pid, 0)
    return waited, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
