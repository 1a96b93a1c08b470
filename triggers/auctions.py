"""Auction triggers: a channel and a close event per new auction, and the close itself.

``POST /events/auction-created`` (event trigger on ``auctions`` insert) creates the IVS
channel, stores its ARN and playback URL, and schedules the close as a one-off scheduled
event at ``end_time``. ``POST /scheduled/close-auction`` (that event) closes the auction
once (see :mod:`auctions.closing`). Both are safe to deliver more than once.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import boto3
import httpx
from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from actions.redis_iam import redis_from_url
from auctions.bidbook import BidBook
from auctions.channels import create_channel
from auctions.closing import AuctionCloser
from auctions.engine_client import EngineCallError, EngineClient, parse_time
from auctions.outbox import Queues
from auctions.settings import get_auction_settings
from common.shared_secret import require_secret
from triggers.errors import InvalidPayloadError, TriggerError, UpstreamError
from triggers.payloads import EventPayload, ScheduledEventPayload, parse
from triggers.settings import shared_secret

logger = logging.getLogger("triggers.auctions")

SET_CHANNEL = """
mutation SetChannel($id: uuid!, $arn: String!, $url: String!) {
  update_auctions(where: {id: {_eq: $id}, ivs_channel_arn: {_is_null: true}},
                  _set: {ivs_channel_arn: $arn, ivs_playback_url: $url}) { affected_rows }
}
"""


class AuctionTriggers:
    """The clients the two handlers use, built once."""

    def __init__(self) -> None:
        settings = get_auction_settings()
        if not settings.configured:
            raise TriggerError("auction triggers need REDIS_URL, HASURA_GRAPHQL_ENDPOINT and "
                               "the admin secret", code="auctions-not-configured", status=503)
        assert settings.redis_url
        assert settings.hasura_graphql_endpoint
        self.settings = settings
        self.engine = EngineClient(settings.hasura_graphql_endpoint, settings.admin_secret())
        self.ivs: Any = boto3.client("ivs", region_name=settings.aws_region)
        redis = redis_from_url(settings.redis_url)
        book = BidBook(redis, settings.anti_snipe_seconds, settings.bid_rate_limit,
                       settings.bid_rate_window_seconds)
        queues = Queues(boto3.client("sqs", region_name=settings.aws_region),
                        settings.bid_queue_name, settings.notification_queue_name)
        self.closer = AuctionCloser(book, self.engine, queues, self.ivs, settings.close_webhook)


@cache
def auction_triggers() -> AuctionTriggers:
    """Built on first use (the service starts without the auction settings)."""
    return AuctionTriggers()


async def auction_created(request: Request) -> Response:
    """Create the channel and schedule the close of a new auction."""
    require_secret(request.headers, shared_secret())
    event = parse(EventPayload, await request.body())
    row = event.event.data.get("new") or {}
    auction_id, end_time = row.get("id"), row.get("end_time")
    if not isinstance(auction_id, str) or not isinstance(end_time, str):
        raise InvalidPayloadError("the event's new row has no id or end_time")
    triggers = auction_triggers()
    try:
        channel = None
        if not row.get("ivs_channel_arn"):
            channel = await run_in_threadpool(create_channel, triggers.ivs, auction_id)
            await triggers.engine.data(SET_CHANNEL, {
                "id": auction_id, "arn": channel.arn, "url": channel.playback_url})
        event_id = row.get("close_event_id")
        if not event_id:
            event_id = await triggers.engine.schedule_close(
                auction_id, parse_time(end_time), triggers.settings.close_webhook)
    except (BotoCoreError, ClientError, EngineCallError, httpx.HTTPError) as exc:
        raise UpstreamError(f"auction {auction_id}: {exc}", code="auction-setup-failed") from None
    logger.info("auction %s: channel %s, close event %s", auction_id,
                channel.arn if channel else "kept", event_id)
    return JSONResponse({"auction_id": auction_id, "close_event_id": event_id,
                         "ivs_channel_arn": channel.arn if channel else row["ivs_channel_arn"]})


async def close_auction(request: Request) -> Response:
    """Close the auction named in the scheduled event's payload."""
    require_secret(request.headers, shared_secret())
    event = parse(ScheduledEventPayload, await request.body())
    auction_id = (event.payload or {}).get("auction_id") if isinstance(event.payload, dict) \
        else None
    if not isinstance(auction_id, str):
        raise InvalidPayloadError("the scheduled event's payload has no auction_id")
    try:
        result = await auction_triggers().closer.close(auction_id)
    except (BotoCoreError, ClientError, EngineCallError, httpx.HTTPError) as exc:
        raise UpstreamError(f"closing auction {auction_id}: {exc}",
                            code="auction-close-failed") from None
    return JSONResponse({"auction_id": auction_id, **result.__dict__})
