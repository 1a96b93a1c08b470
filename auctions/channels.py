"""The IVS channel of an auction: created once when the auction is inserted, stopped at close."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

logger = logging.getLogger("auctions.channels")


@dataclass(frozen=True)
class Channel:
    """What the auction row keeps of its channel."""

    arn: str
    playback_url: str


def channel_name(auction_id: str) -> str:
    """One channel per auction, named after it (IVS names allow letters, digits, - and _)."""
    return f"auction-{auction_id}"


def create_channel(ivs: Any, auction_id: str) -> Channel:
    """Create the auction's channel (the caller skips rows that already have one).

    IVS names are not unique, and finding a channel by name would need ``ListChannels`` on
    every resource; a crash between this call and storing the ARN leaves an idle channel
    (idle channels cost nothing) rather than widening the function's permissions.
    """
    created = ivs.create_channel(
        name=channel_name(auction_id), latencyMode="LOW", type="STANDARD",
        tags={"Project": "LiveAuction", "auction_id": auction_id},
    )["channel"]
    return Channel(created["arn"], created["playbackUrl"])


def stop_stream(ivs: Any, arn: str) -> bool:
    """Stop the channel's stream; False when nothing was live (or the API lacks the call)."""
    try:
        ivs.stop_stream(channelArn=arn)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        # ChannelNotBroadcasting: the seller was not live. moto has no StopStream at all.
        logger.info("stream of %s not stopped (%s)", arn, code or exc)
        return False
    return True
