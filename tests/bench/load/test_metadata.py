"""The metadata benchmarks serve: the project's, without the anonymous request-rate limit."""

from __future__ import annotations

from bench.load.metadata import without_rate_limit
from devstack.hasura_project import metadata_dir
from devstack.paths import HASURA_DIR


def test_without_rate_limit_drops_only_the_rate_limit() -> None:
    """GIVEN the project's metadata (with a rate limit) WHEN served for load.

    THEN its API limits lack ``rate_limit`` and keep the rest; the original is unchanged.
    """
    metadata = metadata_dir.read(HASURA_DIR).metadata
    limits = metadata["api_limits"]
    assert "rate_limit" in limits

    served = without_rate_limit(metadata)

    assert "rate_limit" not in served["api_limits"]
    assert served["api_limits"] == {k: v for k, v in limits.items() if k != "rate_limit"}
    assert "depth_limit" in served["api_limits"]
    assert metadata["api_limits"]["rate_limit"] == limits["rate_limit"]
    assert served["sources"] is metadata["sources"]
