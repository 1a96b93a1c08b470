"""The bid writer's settings, read at cold start."""

from __future__ import annotations

import pytest

from common.config import SettingsError
from lambdas.bid_persistence.settings import BidPersistenceSettings


def test_bid_persistence_settings_default_and_refuse_a_bad_ttl() -> None:
    """GIVEN nothing set WHEN read THEN bids_history for 90 days; a TTL of ``soon`` is refused."""
    assert BidPersistenceSettings.from_environment({}) == BidPersistenceSettings(
        "bids_history", 90)
    assert BidPersistenceSettings.from_environment({"BID_HISTORY_TTL_DAYS": "7"}).ttl_days == 7
    with pytest.raises(SettingsError, match="BID_HISTORY_TTL_DAYS must be an integer"):
        BidPersistenceSettings.from_environment({"BID_HISTORY_TTL_DAYS": "soon"})
