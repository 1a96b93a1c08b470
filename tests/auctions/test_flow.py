"""The auction path end to end: engine → actions → Redis → SQS → Lambdas → DynamoDB/PostgreSQL."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.auctions.conftest import (
    ALICE,
    BOB,
    CAROL,
    SHARED_SECRET,
    AuctionStack,
    wait_until,
)

BIDS = ("query($a: uuid!) { auctionBids(auction_id: $a, limit: 10) "
        "{ bid_id user_id amount sequence } }")
MY_BIDS = "{ myBids(limit: 10) { auction_id amount } }"
NOTICES = "{ notifications(order_by: {created_at: asc}) { kind auction_id amount } }"


def ready(stack: AuctionStack, auction_id: str) -> dict[str, Any]:
    """The row once its channel and close event are set by the insert trigger."""
    row: dict[str, Any] = wait_until(
        lambda: (r := stack.auction(auction_id))["ivs_channel_arn"] and r["close_event_id"] and r)
    return row


def test_auction_channel_bids_history_and_notifications(auction_stack: AuctionStack) -> None:
    """GIVEN Alice's new auction.

    WHEN Alice, Bob and Carol bid through the engine
    THEN an IVS channel exists for it; Alice cannot bid on her own auction; accepted bids
    reach bids_history (auctionBids, myBids) and the mirror; Bob gets an outbid notice
    that Carol cannot read.
    """
    stack = auction_stack
    auction_id = stack.create_auction(ALICE, seconds=3600)  # open whatever the machine's load
    row = ready(stack, auction_id)
    channels = stack.aws("ivs").list_channels(filterByName=f"auction-{auction_id}")["channels"]

    own = stack.bid(ALICE, auction_id, 50)
    bob = stack.bid(BOB, auction_id, 10)
    carol = stack.bid(CAROL, auction_id, 11)
    low = stack.bid(BOB, auction_id, 11.5)

    history = wait_until(lambda: len(
        h := stack.graphql(BIDS, {"a": auction_id}, user=CAROL)["data"]["auctionBids"]
    ) == 2 and h)
    mine = stack.graphql(MY_BIDS, user=BOB)["data"]["myBids"]
    bob_notices = wait_until(lambda: stack.graphql(NOTICES, user=BOB)["data"]["notifications"])
    carol_notices = stack.graphql(NOTICES, user=CAROL)["data"]["notifications"]
    mirrored = wait_until(lambda: (r := stack.auction(auction_id))["bid_count"] == 2 and r)

    assert [c["arn"] for c in channels] == [row["ivs_channel_arn"]]
    assert row["ivs_playback_url"]
    assert (own["accepted"], own["reason"]) == (False, "own-auction")
    assert bob["accepted"]
    assert carol["accepted"]
    assert (low["accepted"], low["reason"]) == (False, "too-low")
    assert [(h["user_id"], h["amount"], h["sequence"]) for h in history] == [
        (CAROL, 11.0, 2), (BOB, 10.0, 1)]
    assert {(m["auction_id"], m["amount"]) for m in mine} >= {(auction_id, 10.0)}
    assert [(n["kind"], n["auction_id"]) for n in bob_notices] == [("OUTBID", auction_id)]
    assert all(n["auction_id"] != auction_id for n in carol_notices)
    assert (float(mirrored["current_price"]), mirrored["current_leader_id"]) == (11.0, CAROL)


def test_auction_closes_exactly_once_across_engine_restart(auction_stack: AuctionStack) -> None:
    """GIVEN an auction ending in a few seconds with one bid.

    WHEN the engine is down at the end time, starts again, and the close is delivered twice
    THEN the auction is closed once: winner and price recorded, one WON and one SOLD notice.
    """
    stack = auction_stack
    auction_id = stack.create_auction(ALICE, seconds=6)
    row = ready(stack, auction_id)
    assert stack.bid(BOB, auction_id, 15)["accepted"]
    stack.engine.stop()
    try:
        end = time.time() + 6.5
        time.sleep(max(0.0, end - time.time()))
    finally:
        stack.engine.start()
    closed = wait_until(lambda: (r := stack.auction(auction_id))["status"] == "CLOSED" and r,
                        timeout=30)
    replay = httpx.post(f"{stack.triggers_url}/scheduled/close-auction",
                        headers={"X-Action-Secret": SHARED_SECRET}, timeout=30, json={
                            "id": row["close_event_id"], "scheduled_time": closed["end_time"],
                            "payload": {"auction_id": auction_id}})
    notices = wait_until(lambda: len(n := stack.graphql(
        "query($a: uuid!) { notifications(where: {auction_id: {_eq: $a}}) { kind user_id } }",
        {"a": auction_id})["data"]["notifications"]) >= 2 and n)
    time.sleep(1.0)  # a second close, if any, would add notices now
    again = stack.graphql(
        "query($a: uuid!) { notifications(where: {auction_id: {_eq: $a}}) { kind } }",
        {"a": auction_id})["data"]["notifications"]

    assert (closed["winner_id"], float(closed["final_price"])) == (BOB, 15.0)
    assert replay.json()["outcome"] == "already-closed"
    assert sorted((n["kind"], n["user_id"]) for n in notices) == [("SOLD", ALICE), ("WON", BOB)]
    assert sorted(n["kind"] for n in again) == ["SOLD", "WON"]
    late = stack.bid(CAROL, auction_id, 100)
    assert (late["accepted"], late["reason"]) == (False, "auction-closed")


def test_auction_anti_sniping_moves_the_close(auction_stack: AuctionStack) -> None:
    """Auction anti-sniping moves the close.

    GIVEN an auction ending in 8 s (anti-sniping window 2 s; the margin is for the insert
    trigger, which creates the channel and the close event, on a loaded machine)
    WHEN a bid lands in the last 2 s
    THEN the end moves 2 s later, the close event is replaced, and the auction closes
    after the new end with that bid winning.
    """
    stack = auction_stack
    auction_id = stack.create_auction(ALICE, seconds=8)
    row = ready(stack, auction_id)
    wait_until(lambda: time.time() > _epoch(row["end_time"]) - 1.5, timeout=10, every=0.05)
    snipe = stack.bid(CAROL, auction_id, 20)
    moved = wait_until(lambda: (r := stack.auction(auction_id))["close_event_id"]
                       != row["close_event_id"] and r)
    closed = wait_until(lambda: (r := stack.auction(auction_id))["status"] == "CLOSED" and r,
                        timeout=20)

    assert snipe["accepted"]
    assert snipe["extended"]
    assert _epoch(moved["end_time"]) > _epoch(row["end_time"]) + 1.5
    assert (closed["winner_id"], float(closed["final_price"])) == (CAROL, 20.0)


def test_poison_bid_message_retried_alone_then_in_dlq(auction_stack: AuctionStack) -> None:
    """GIVEN two valid bids and a malformed message (its own group) on the bid queue.

    WHEN the pollers hand them to bid_persistence (visibility 1 s, maxReceiveCount 2)
    THEN the bids are stored once, the poison is retried alone and ends in the DLQ.
    """
    stack = auction_stack
    sqs = stack.aws("sqs")
    url = sqs.get_queue_url(QueueName="bid-persistence-queue.fifo")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="bid-persistence-queue-dlq.fifo")["QueueUrl"]
    auction_id, poison_group = str(uuid.uuid4()), str(uuid.uuid4())
    wait_until(lambda: _idle(stack))
    before = _stats(stack)
    base = int(time.time() * 1e6)
    entries = [
        {"Id": str(n), "MessageGroupId": auction_id, "MessageDeduplicationId": f"ok-{n}",
         "MessageBody": json.dumps({"auction_id": auction_id, "bid_id": f"ok-{n}",
                                    "user_id": "u", "amount": f"{10 + n}.00", "sequence": n,
                                    "timestamp_us": base + n})}
        for n in (1, 2)
    ]
    entries.append({"Id": "p", "MessageGroupId": poison_group,
                    "MessageDeduplicationId": "poison", "MessageBody": "{not json"})
    sqs.send_message_batch(QueueUrl=url, Entries=entries)

    dead = wait_until(lambda: sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)
                      .get("Messages"), timeout=30)
    table = stack.aws("dynamodb")
    stored = table.query(TableName="bids_history", KeyConditionExpression="auction_id = :a",
                         ExpressionAttributeValues={":a": {"S": auction_id}})["Items"]
    after = _stats(stack)

    assert [m["Body"] for m in dead] == ["{not json"]
    assert sorted(i["bid_id"]["S"] for i in stored) == ["ok-1", "ok-2"]
    assert after["failed"] - before["failed"] == 2  # the first batch, then the poison alone
    assert after["deleted"] - before["deleted"] == 2


def _stats(stack: AuctionStack) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(stack.event_sources.url() + "/stats", timeout=5).json()
    return next(v for k, v in found.items() if k.startswith("bid-persistence"))


def _idle(stack: AuctionStack) -> bool:
    sqs = stack.aws("sqs")
    url = sqs.get_queue_url(QueueName="bid-persistence-queue.fifo")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return bool(attrs["ApproximateNumberOfMessages"] == "0"
                and attrs["ApproximateNumberOfMessagesNotVisible"] == "0")


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
