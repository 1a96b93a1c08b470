"""One Chinook run's options and the state its phases share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.chinook import runs
from bench.chinook.servers import GraphQLServer
from bench.chinook.workload import Case, Workload
from bench.load.sqlrunner import Statement
from devstack.paths import REPO_ROOT
from engine.settings import DEFAULT_POOL_SIZE

RESULTS_DIR = REPO_ROOT / "bench" / "results"


@dataclass
class Options:
    """What to run and for how long."""

    duration_s: float = 10.0
    concurrencies: tuple[int, ...] = (1, 8, 32)
    open_duration_s: float = 10.0
    warmup_s: float = 5.0
    rounds: int = 2
    """Each closed-loop run is split into this many rounds, targets in alternating order."""
    cases: tuple[str, ...] = ()
    """Case names to run (empty: all)."""
    targets: tuple[str, ...] = ("engine", "floor", "engine_cached", "postgraphile",
                                "postgraphile_sql")
    engine_workers: int = 2
    """Worker processes of the ``engine_workers`` target (``ENGINE_WORKERS``)."""
    floor_busy_us: float = 150.0
    """CPU per request the ``floor_busy`` runner spends in its event loop (about the
    engine's own per request on the simple query)."""
    pool_size: int = DEFAULT_POOL_SIZE
    """Connections of the ``http_floor`` server: the engine's pool size."""
    http_floor_busy_us: float = 0.0
    """CPU per request the ``http_floor`` server spends besides serving (0: the ceiling)."""
    open_loop: bool = True
    profile: bool = True
    sql_shape: bool = True
    results_dir: Path = RESULTS_DIR


@dataclass
class Bench:
    """State shared by the phases of one run."""

    options: Options
    workload: Workload
    state: Path
    log: Callable[[str], None]
    servers: dict[str, GraphQLServer] = field(default_factory=dict)
    redis: GraphQLServer | None = None
    """The engine's response cache (only with the ``engine_cached`` target)."""
    sql: dict[str, dict[str, list[Statement]]] = field(default_factory=dict)
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    """The engine's answer to each case (the ``http_floor`` must answer the same bytes)."""
    records: list[runs.RunRecord] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    dsn: str = ""

    def cases(self) -> list[Case]:
        """The cases selected by the options."""
        wanted = set(self.options.cases)
        return [case for case in self.workload.cases if not wanted or case.name in wanted]

    def request(self, target: str, case: Case) -> tuple[str, str]:
        """URL and body of ``case`` for an HTTP target."""
        if target == "http_floor":
            return f"{self.servers[target].graphql_url}/{case.name}", case.body()
        if target == "engine_cached":
            body = case.cached_body()
        else:
            body = case.body() if target in ("engine", "engine_workers") \
                else case.postgraphile_body()
        return self.servers[runs.server_of(target)].graphql_url, body
