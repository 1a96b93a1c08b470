"""The subprotocols' messages: a cohort's subscribers share the result message built once."""

from __future__ import annotations

import orjson

from engine.server.ws_protocol import APOLLO_WS, TRANSPORT_WS, choose


def test_ws_protocol_data_shares_one_message_per_result_and_id() -> None:
    """GIVEN one result handed to several subscribers (as a poller does for a cohort).

    WHEN each asks its protocol for the message
    THEN the same id gets the very same message object; another id or another result
    gets its own, correct message; each protocol names its own message type.
    """
    transport, accepted = choose([TRANSPORT_WS])
    assert accepted == TRANSPORT_WS
    body = '{"data":{"item":[{"id":1}]}}'
    first = transport.data("1", body)
    assert transport.data("1", body) is first
    assert orjson.loads(first) == {"type": "next", "id": "1",
                                   "payload": {"data": {"item": [{"id": 1}]}}}
    other_id = transport.data("2", body)
    assert orjson.loads(other_id)["id"] == "2"
    changed = "".join(['{"data":{"item":[]', "}}"])  # another result, built at run time
    assert orjson.loads(transport.data("1", changed))["payload"] == {"data": {"item": []}}
    apollo, _ = choose([APOLLO_WS])
    assert orjson.loads(apollo.data("1", body))["type"] == "data"
    assert orjson.loads(transport.data("1", body)) == orjson.loads(first)
