"""CPU accounting: what the benchmark's processes used during a run, and what everything else did.

A process's CPU is its own user + system time plus that of its children, live ones read
from /proc and exited ones from the parent's reaped-children counters. PostgreSQL backends
come and go; the postmaster reaps them, so nothing a backend used is lost between samples.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil


def tree_cpu_seconds(root_pid: int, attempts: int = 5) -> float:
    """User + system CPU seconds of ``root_pid``, its live descendants and its reaped children.

    A child reaped after the parent's counters were read and before its own are would be
    counted nowhere (a whole PostgreSQL backend's CPU, when the bare-SQL runner's connections
    close): the reading is taken again when the parent's reaped-children counters moved
    meanwhile (the postmaster reaps a backend the moment it exits).
    """
    total = 0.0
    for _ in range(attempts):
        try:
            root = psutil.Process(root_pid)
            times = root.cpu_times()
            reaped: float = times.children_user + times.children_system
            total = float(times.user + times.system) + reaped
            descendants = root.children(recursive=True)
        except psutil.NoSuchProcess:
            return 0.0
        for child in descendants:
            try:
                child_times = child.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += child_times.user + child_times.system
        try:
            after = root.cpu_times()
        except psutil.NoSuchProcess:
            return total
        if after.children_user + after.children_system == reaped:
            break
    return total


def system_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (idle and iowait excluded)."""
    times = psutil.cpu_times()
    busy: float = sum(times) - times.idle - getattr(times, "iowait", 0.0)
    return busy


def own_cpu_seconds() -> float:
    """CPU seconds used by this process and the children it has already reaped."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class CpuSample:
    """One reading of every group, the whole system and this process."""

    wall: float
    system_busy: float
    own: float
    groups: Mapping[str, float]


@dataclass(frozen=True)
class CpuUsage:
    """CPU used between two samples, in seconds, and the other load on the machine."""

    wall_s: float
    groups: Mapping[str, float]
    """Per named process group (postgres, engine, postgraphile, ...)."""
    generator_s: float
    """This process plus its reaped children: the load generator and the orchestrator."""
    system_busy_s: float
    other_s: float
    """Busy CPU not accounted for by the benchmark: other work on this shared machine."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict, with the other load also expressed in cores."""
        return {
            "wall_s": self.wall_s,
            "groups_s": dict(self.groups),
            "generator_s": self.generator_s,
            "system_busy_s": self.system_busy_s,
            "other_s": self.other_s,
            "other_cores": self.other_s / self.wall_s if self.wall_s > 0 else 0.0,
        }


class CpuMeter:
    """Samples named groups of process trees (group name → root pids)."""

    def __init__(self, groups: Mapping[str, Sequence[int]]) -> None:
        self.groups = {name: list(pids) for name, pids in groups.items()}

    def sample(self) -> CpuSample:
        """Read every group now."""
        readings = {
            name: sum(tree_cpu_seconds(pid) for pid in pids if pid != os.getpid())
            for name, pids in self.groups.items()
        }
        return CpuSample(time.monotonic(), system_busy_seconds(), own_cpu_seconds(), readings)

    @staticmethod
    def usage(before: CpuSample, after: CpuSample, extra_generator_s: float = 0.0) -> CpuUsage:
        """CPU used between ``before`` and ``after``.

        ``extra_generator_s`` is CPU a generator reported for itself that is not yet in this
        process's reaped-children counters (a child still running, or one not reaped yet).
        """
        groups = {name: after.groups[name] - before.groups.get(name, 0.0) for name in after.groups}
        generator = after.own - before.own + extra_generator_s
        busy = after.system_busy - before.system_busy
        other = max(0.0, busy - sum(groups.values()) - generator)
        return CpuUsage(after.wall - before.wall, groups, generator, busy, other)
