"""Streaming subscriptions: ``<table>_stream`` batches past a cursor, per cohort."""

from __future__ import annotations

import pytest

from tests.engine.subscriptions.conftest import INTERVAL_MS, SubscriptionEngine
from tests.engine.subscriptions.wsclient import PROTOCOLS, WsClient

STREAM = ("subscription($from: Int!) { item_stream(batch_size: 2, cursor: "
          "{initial_value: {id: $from}, ordering: ASC}) { id label } }")


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_stream_batches_advance_the_cursor(subs: SubscriptionEngine,
                                                 protocol: str) -> None:
    """Rows come in cursor order, ``batch_size`` at a time, each once; new rows follow.

    GIVEN three rows of a user and a stream from id 0 with batch size 2
    WHEN polled THEN [first two], [third]; then an inserted row arrives alone.
    """
    owner = f"stream-{protocol}"
    for label in ("s1", "s2", "s3"):
        subs.sql("INSERT INTO item (owner, label) VALUES (%s, %s)", owner, label)
    client = await WsClient.initialised(subs.url, protocol, subs.headers(owner))
    await client.start("s", STREAM, {"from": 0})
    first = (await client.result("s"))["data"]["item_stream"]
    second = (await client.result("s"))["data"]["item_stream"]
    assert [r["label"] for r in first] == ["s1", "s2"]
    assert [r["label"] for r in second] == ["s3"]
    assert first[0]["id"] < first[1]["id"] < second[0]["id"]
    subs.sql("INSERT INTO item (owner, label) VALUES (%s, 's4')", owner)
    third = (await client.result("s"))["data"]["item_stream"]
    assert [r["label"] for r in third] == ["s4"]
    with pytest.raises(TimeoutError):  # nothing new: nothing sent
        await client.result("s", wait=3 * INTERVAL_MS / 1000)
    await client.close()


async def test_stream_initial_value_is_exclusive_and_descending_works(
        subs: SubscriptionEngine) -> None:
    """The cursor starts after ``initial_value``; DESC streams downwards.

    GIVEN rows s1..s3 of a user WHEN streaming DESC from the last id THEN s2, s1.
    """
    owner = "stream-desc"
    for label in ("d1", "d2", "d3"):
        subs.sql("INSERT INTO item (owner, label) VALUES (%s, %s)", owner, label)
    admin_ids = subs.handle.graphql(
        "query($o: String!) { item(where: {owner: {_eq: $o}}, order_by: {id: asc}) { id } }",
        {"o": owner})["data"]["item"]
    last = admin_ids[-1]["id"]
    client = await WsClient.initialised(subs.url, "graphql-transport-ws", subs.headers(owner))
    await client.start("d", "subscription($c: Int!) { item_stream(batch_size: 5, cursor: "
                            "{initial_value: {id: $c}, ordering: DESC}) { label } }", {"c": last})
    assert await client.result("d") == {"data": {"item_stream": [{"label": "d2"},
                                                                 {"label": "d1"}]}}
    await client.close()


async def test_stream_user_never_sees_other_users_rows(subs: SubscriptionEngine) -> None:
    """Streams keep the role's permission filter.

    GIVEN bob streaming from id 0 WHEN polled THEN only bob's rows.
    """
    client = await WsClient.initialised(subs.url, "graphql-ws", subs.headers("bob"))
    await client.start("b", STREAM, {"from": 0})
    batch = (await client.result("b"))["data"]["item_stream"]
    assert [r["label"] for r in batch] == ["b1"]
    await client.close()
