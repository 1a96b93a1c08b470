"""Latency summaries and the result of one load run, as stored in the results JSON."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile of already sorted values, nearest-rank."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass
class Latency:
    """Latency percentiles in milliseconds."""

    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @classmethod
    def of_seconds(cls, values: Sequence[float]) -> Latency:
        """Summarise latencies given in seconds."""
        ordered = sorted(values)
        if not ordered:
            return cls(math.nan, math.nan, math.nan, math.nan, math.nan)
        return cls(
            p50_ms=percentile(ordered, 0.50) * 1e3,
            p90_ms=percentile(ordered, 0.90) * 1e3,
            p99_ms=percentile(ordered, 0.99) * 1e3,
            max_ms=ordered[-1] * 1e3,
            mean_ms=sum(ordered) / len(ordered) * 1e3,
        )


@dataclass
class LoadResult:
    """What a load generator measured in one run (before CPU accounting is added)."""

    requests: int
    """Completed requests (including errors)."""
    errors: int
    """Non-200 answers, GraphQL ``errors``, socket errors and timeouts."""
    duration_s: float
    latency: Latency
    bytes_received: int = 0
    generator_cpu_s: float = 0.0
    """CPU time (user + system) the generator itself used during the run."""
    dropped: int = 0
    """Open loop only: arrivals not sent because every connection was busy."""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        if self.duration_s <= 0:
            return 0.0
        return (self.requests - self.errors) / self.duration_s

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (throughput included)."""
        data = asdict(self)
        data["throughput"] = self.throughput
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LoadResult:
        """Read back what :meth:`to_json` (or a generator process) wrote."""
        return cls(
            requests=int(data["requests"]),
            errors=int(data["errors"]),
            duration_s=float(data["duration_s"]),
            latency=Latency(**data["latency"]),
            bytes_received=int(data.get("bytes_received", 0)),
            generator_cpu_s=float(data.get("generator_cpu_s", 0.0)),
            dropped=int(data.get("dropped", 0)),
            detail=dict(data.get("detail", {})),
        )
