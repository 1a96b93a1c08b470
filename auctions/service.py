"""The auction system's long-lived parts in a service: Redis scripts, forwarder, clients."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
from redis.asyncio import Redis

from actions.redis_iam import redis_from_url
from auctions.bidbook import AuctionTerms, BidBook, UnknownAuctionError
from auctions.engine_client import EngineClient
from auctions.history import BidHistory
from auctions.outbox import OutboxForwarder, Queues
from auctions.settings import AuctionSettings


class AuctionNotFoundError(LookupError):
    """No auction with this id."""


class AuctionService:
    """Built once per process from the settings (which must be ``configured``)."""

    def __init__(self, settings: AuctionSettings, redis: Redis | None = None) -> None:
        assert settings.redis_url
        assert settings.hasura_graphql_endpoint
        self.settings = settings
        self._owns_redis = redis is None
        self.redis = redis or redis_from_url(settings.redis_url)
        self.book = BidBook(self.redis, settings.anti_snipe_seconds, settings.bid_rate_limit,
                            settings.bid_rate_window_seconds)
        self.engine = EngineClient(settings.hasura_graphql_endpoint, settings.admin_secret())
        self._sqs: Any = boto3.client("sqs", region_name=settings.aws_region)
        self.queues = Queues(self._sqs, settings.bid_queue_name,
                             settings.notification_queue_name)
        dynamodb = boto3.resource("dynamodb", region_name=settings.aws_region)
        self.history = BidHistory(dynamodb.Table(settings.bids_table))
        self._loading: dict[str, asyncio.Future[AuctionTerms]] = {}
        self.forwarder = OutboxForwarder(self.redis, self.queues, self.engine,
                                         settings.close_webhook, batch=settings.outbox_batch)

    async def _load_once(self, auction_id: str) -> None:
        """One engine call per auction however many bids miss it at once (single flight)."""
        pending = self._loading.get(auction_id)
        if pending is None:
            pending = asyncio.ensure_future(self.ensure_loaded(auction_id))
            self._loading[auction_id] = pending
            pending.add_done_callback(lambda _: self._loading.pop(auction_id, None))
        await asyncio.shield(pending)

    def start(self) -> None:
        """Start forwarding the outbox (needs a running event loop)."""
        self.forwarder.start()

    async def ensure_loaded(self, auction_id: str) -> AuctionTerms:
        """Load the auction into Redis from the database (once; never overwrites bids)."""
        found = await self.engine.auction_terms(auction_id)
        if found is None:
            raise AuctionNotFoundError(auction_id)
        terms, _ = found
        await self.book.load(terms)
        return terms

    async def place(self, auction_id: str, bid_id: str, user_id: str, amount: Any) -> Any:
        """Run the bid script, loading the auction first when Redis does not know it."""
        try:
            outcome = await self.book.place(auction_id, bid_id, user_id, amount)
        except UnknownAuctionError:
            await self._load_once(auction_id)
            outcome = await self.book.place(auction_id, bid_id, user_id, amount)
        if outcome.accepted:
            self.forwarder.wake()
        return outcome

    async def close(self) -> None:
        """Stop forwarding; release the connections."""
        await self.forwarder.stop()
        await self.engine.close()
        if self._owns_redis:
            await self.redis.aclose()
        self._sqs.close()
