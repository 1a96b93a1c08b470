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
from dataclasses import dataclass, field

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
class ChildCounters:
    """One direct child's CPU and context switches so far (a PostgreSQL backend)."""

    cpu_s: float
    voluntary: int
    """Switches away because it waited (for its client's next message, for I/O)."""
    involuntary: int
    """Switches away because another process took the core."""


def child_counters(root_pid: int) -> dict[int, ChildCounters]:
    """The counters of each live direct child of ``root_pid``, by pid."""
    try:
        children = psutil.Process(root_pid).children()
    except psutil.NoSuchProcess:
        return {}
    found = {}
    for child in children:
        try:
            with child.oneshot():
                times = child.cpu_times()
                switches = child.num_ctx_switches()
        except psutil.NoSuchProcess:
            continue
        found[child.pid] = ChildCounters(float(times.user + times.system),
                                         int(switches.voluntary), int(switches.involuntary))
    return found


@dataclass(frozen=True)
class ChildActivity:
    """What a group's direct children did between two samples (those alive at both)."""

    busy: int
    """Children that used at least :data:`BUSY_CPU_S` of CPU."""
    voluntary: int
    involuntary: int

    def to_json(self) -> dict[str, int]:
        """A JSON-ready dict."""
        return {"busy": self.busy, "voluntary_switches": self.voluntary,
                "involuntary_switches": self.involuntary}


BUSY_CPU_S = 0.01
"""CPU a child must use between two samples to count as busy (one clock tick)."""


def child_activity(before: Mapping[int, ChildCounters],
                   after: Mapping[int, ChildCounters]) -> ChildActivity:
    """Busy children and their context switches between two readings."""
    both = [(before[pid], now) for pid, now in after.items() if pid in before]
    return ChildActivity(
        busy=sum(1 for old, now in both if now.cpu_s - old.cpu_s >= BUSY_CPU_S),
        voluntary=sum(now.voluntary - old.voluntary for old, now in both),
        involuntary=sum(now.involuntary - old.involuntary for old, now in both))


@dataclass(frozen=True)
class CpuSample:
    """One reading of every group, the whole system and this process."""

    wall: float
    system_busy: float
    own: float
    groups: Mapping[str, float]
    children: Mapping[str, Mapping[int, ChildCounters]] = field(default_factory=dict)
    """Per group whose children are followed one by one: their counters by pid."""


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
    children: Mapping[str, ChildActivity] = field(default_factory=dict)
    """Per group whose children are followed: how many were busy, how often they switched."""

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict, with the other load also expressed in cores."""
        return {
            "wall_s": self.wall_s,
            "groups_s": dict(self.groups),
            "generator_s": self.generator_s,
            "system_busy_s": self.system_busy_s,
            "other_s": self.other_s,
            "other_cores": self.other_s / self.wall_s if self.wall_s > 0 else 0.0,
            "children": {name: activity.to_json() for name, activity in self.children.items()},
        }


class CpuMeter:
    """Samples named groups of process trees (group name → root pids).

    ``per_child``: groups whose direct children (PostgreSQL's backends under the postmaster)
    are also read one by one, for how many were busy and how often they slept and woke.
    """

    def __init__(self, groups: Mapping[str, Sequence[int]],
                 per_child: Sequence[str] = ()) -> None:
        self.groups = {name: list(pids) for name, pids in groups.items()}
        self.per_child = [name for name in per_child if name in self.groups]

    def sample(self) -> CpuSample:
        """Read every group now."""
        readings = {
            name: sum(tree_cpu_seconds(pid) for pid in pids if pid != os.getpid())
            for name, pids in self.groups.items()
        }
        children = {name: {pid: counters for root in self.groups[name]
                           for pid, counters in child_counters(root).items()}
                    for name in self.per_child}
        return CpuSample(time.monotonic(), system_busy_seconds(), own_cpu_seconds(), readings,
                         children)

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
        children = {name: child_activity(before.children.get(name, {}), counters)
                    for name, counters in after.children.items()}
        return CpuUsage(after.wall - before.wall, groups, generator, busy, other, children)
