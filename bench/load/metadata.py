"""The project's metadata as load tests serve it: without the anonymous request-rate limit.

The API limits allow anonymous callers 600 requests a minute per address. A load generator
sends everything from one address and is not the caller that limit is meant for, so the
benchmarks serve the metadata without ``api_limits.rate_limit``; depth and node limits stay
(the soak bench drops those only in its own phase).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def api_limits_without_rate_limit(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata's ``api_limits`` (a copy) without ``rate_limit``."""
    limits = dict(metadata.get("api_limits") or {})
    limits.pop("rate_limit", None)
    return limits


def without_rate_limit(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``metadata`` whose API limits have no request-rate limit."""
    served = dict(metadata)
    if "api_limits" in served:
        served["api_limits"] = api_limits_without_rate_limit(metadata)
    return served
