"""Live queries: multiplexed polling, changes delivered, permissions, lifecycle."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.engine.subscriptions.conftest import INTERVAL_MS, SubscriptionEngine
from tests.engine.subscriptions.wsclient import PROTOCOLS, WsClient

OWN_ITEMS = "subscription { item(order_by: {id: asc}) { label value } }"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_live_query_changes_reach_the_subscriber_and_no_one_else(
        subs: SubscriptionEngine, protocol: str) -> None:
    """Insert, update and delete reach the owner within a few intervals; others see nothing.

    GIVEN carol and dave subscribed to their own items
    WHEN carol's rows are inserted, updated, deleted
    THEN carol receives each new state; dave receives only his first (empty) result.
    """
    carol = await WsClient.initialised(subs.url, protocol, subs.headers(f"carol-{protocol}"))
    dave = await WsClient.initialised(subs.url, protocol, subs.headers(f"dave-{protocol}"))
    await carol.start("c", OWN_ITEMS)
    await dave.start("d", OWN_ITEMS)
    assert await carol.result("c") == {"data": {"item": []}}
    assert await dave.result("d") == {"data": {"item": []}}
    started = time.monotonic()
    subs.sql("INSERT INTO item (owner, label) VALUES (%s, 'c1')", f"carol-{protocol}")
    assert await carol.result("c") == {"data": {"item": [{"label": "c1", "value": 0}]}}
    assert time.monotonic() - started < 5 * INTERVAL_MS / 1000 + 1
    subs.sql("UPDATE item SET value = 7 WHERE owner = %s", f"carol-{protocol}")
    assert await carol.result("c") == {"data": {"item": [{"label": "c1", "value": 7}]}}
    subs.sql("DELETE FROM item WHERE owner = %s", f"carol-{protocol}")
    assert await carol.result("c") == {"data": {"item": []}}
    with pytest.raises(TimeoutError):
        await dave.result("d", wait=3 * INTERVAL_MS / 1000)
    await carol.close()
    await dave.close()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_live_query_result_sent_only_when_it_changed(subs: SubscriptionEngine,
                                                           protocol: str) -> None:
    """An unchanged result is not sent again.

    GIVEN bob subscribed WHEN another user's row changes THEN bob receives nothing new.
    """
    bob = await WsClient.initialised(subs.url, protocol, subs.headers("bob"))
    await bob.start("b", OWN_ITEMS)
    assert await bob.result("b") == {"data": {"item": [{"label": "b1", "value": 10}]}}
    subs.sql("UPDATE item SET value = value + 1 WHERE owner = 'alice'")
    with pytest.raises(TimeoutError):
        await bob.result("b", wait=4 * INTERVAL_MS / 1000)
    await bob.close()


async def test_live_query_one_statement_per_interval_for_many_subscribers(
        subs: SubscriptionEngine) -> None:
    """Subscribers of one shape share a poller: one statement per interval, not one each.

    GIVEN 30 subscribers (10 users, 3 sockets each) of one query
    WHEN the statements the engine runs are counted over 2 seconds
    THEN one poller of 10 cohorts, about one statement per interval (10), far below one per
    subscriber per interval (300).
    """
    clients = []
    for i in range(30):
        client = await WsClient.initialised(subs.url, "graphql-transport-ws",
                                            subs.headers(f"many-{i % 10}"))
        await client.start("m", OWN_ITEMS)
        clients.append(client)
    for client in clients:
        await client.result("m")
    stats = subs.stats()
    [poller] = [p for p in stats["pollers"] if "many" not in p["query"] and
                p["subscribers"] == 30]
    assert poller["cohorts"] == 10
    before = subs.stats()["statements"]
    await asyncio.sleep(2.0)
    statements = subs.stats()["statements"] - before
    intervals = 2.0 / (INTERVAL_MS / 1000)
    assert intervals / 2 <= statements <= intervals + 2, statements
    for client in clients:
        await client.close()


async def test_live_query_unsubscribing_stops_polling(subs: SubscriptionEngine) -> None:
    """The poller stops with its last subscriber.

    GIVEN one subscription WHEN it is stopped THEN no statement runs afterwards.
    """
    client = await WsClient.initialised(subs.url, "graphql-ws", subs.headers("erin"))
    await client.start("e", "subscription { item_aggregate { aggregate { count } } }")
    assert await client.result("e") == {"data": {"item_aggregate": {"aggregate": {
        "count": 0}}}}
    assert any(p["subscribers"] == 1 for p in subs.stats()["pollers"])
    await client.stop("e")
    await asyncio.sleep(INTERVAL_MS / 1000)
    stats = subs.stats()
    assert stats["pollers"] == []
    await asyncio.sleep(5 * INTERVAL_MS / 1000)
    assert subs.stats()["statements"] == stats["statements"]
    await client.close()


async def test_live_query_variables_and_session_make_cohorts(subs: SubscriptionEngine) -> None:
    """Variables are cohort values: one shape, different variables, each its own result.

    GIVEN gina's rows worth 1 and 5, subscribed with minimum 0 and minimum 3
    WHEN results arrive THEN each subscription gets the rows its variables select.
    """
    subs.sql("INSERT INTO item (owner, label, value) VALUES ('gina', 'g1', 1), "
             "('gina', 'g5', 5)")
    query = ("subscription($min: Int!) { item(where: {value: {_gte: $min}}, "
             "order_by: {id: asc}) { label } }")
    gina = await WsClient.initialised(subs.url, "graphql-transport-ws", subs.headers("gina"))
    await gina.start("all", query, {"min": 0})
    await gina.start("big", query, {"min": 3})
    results: dict[str, object] = {}
    while len(results) < 2:
        message = await gina.receive()
        results[message["id"]] = message["payload"]
    assert results["all"] == {"data": {"item": [{"label": "g1"}, {"label": "g5"}]}}
    assert results["big"] == {"data": {"item": [{"label": "g5"}]}}
    await gina.close()


async def test_live_query_metadata_change_ends_a_subscription_it_forbids(
        subs: SubscriptionEngine) -> None:
    """A metadata change re-plans live subscriptions; one it makes invalid is ended.

    GIVEN a user subscribed to items WHEN the user's select permission is dropped
    THEN the subscription gets an error and is completed.
    """
    frank = await WsClient.initialised(subs.url, "graphql-transport-ws", subs.headers("frank"))
    await frank.start("f", OWN_ITEMS)
    assert await frank.result("f") == {"data": {"item": []}}
    response = subs.handle.metadata({"type": "pg_drop_select_permission",
                                     "args": {"table": "item", "role": "user"}})
    assert response.status_code == 200, response.text
    try:
        message = await frank.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "validation-failed"
        assert await frank.receive() == {"type": "complete", "id": "f"}
    finally:
        from tests.engine.subscriptions.conftest import USER_SELECT

        restored = subs.handle.metadata({"type": "pg_create_select_permission", "args": {
            "table": "item", "role": "user", "permission": USER_SELECT}})
        assert restored.status_code == 200, restored.text
    await frank.close()
