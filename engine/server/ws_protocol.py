"""The two GraphQL-over-websocket subprotocols, as Hasura speaks them.

``graphql-transport-ws`` (the graphql-ws library) and the older ``graphql-ws``
(subscriptions-transport-ws, Apollo; the default when the client names no subprotocol)
carry the same operations with different message names, error shapes and close codes.
Each is one class; the connection (:mod:`engine.server.ws_connection`) only asks it what to
send.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import orjson

TRANSPORT_WS = "graphql-transport-ws"
APOLLO_WS = "graphql-ws"


@dataclass(frozen=True)
class Close:
    """Close the socket with ``code`` and ``reason``, after sending ``message`` if any."""

    code: int
    reason: str
    message: str | None = None


def _id(op_id: str) -> str:
    return orjson.dumps(op_id).decode()


def _error_payload(message: str, code: str) -> bytes:
    return orjson.dumps({"message": message, "extensions": {"path": "$", "code": code}})


class Protocol(ABC):
    """What one subprotocol sends for each event of a connection."""

    name: str
    start_types: frozenset[str]
    """Client message types that start an operation."""
    stop_types: frozenset[str]
    """Client message types that stop one."""
    data_type: str
    """The type of a result message."""

    def __init__(self) -> None:
        self._last: tuple[str, str, str] | None = None
        """The last result message built: (body, operation id, message)."""

    def ack(self) -> str:
        """``connection_ack``."""
        return '{"type":"connection_ack"}'

    @abstractmethod
    def keepalive(self) -> str:
        """The periodic keep-alive message."""

    def data(self, op_id: str, body: str) -> str:
        """A result (``{"data": ...}`` or ``{"errors": [...]}``) of operation ``op_id``.

        A poller hands one result (the same ``str``) to every subscriber of a cohort, one
        after the other: those with the same operation id (typically all of them) share
        the message built for the first.
        """
        last = self._last
        if last is not None and last[0] is body and last[1] == op_id:
            return last[2]
        message = ('{"type":"' + self.data_type + '","id":' + _id(op_id) + ',"payload":'
                   + body + "}")
        self._last = (body, op_id, message)
        return message

    @abstractmethod
    def errors(self, op_id: str, body: bytes) -> str:
        """An operation that failed before it ran; ``body`` is ``{"errors": [...]}``."""

    @abstractmethod
    def run_error(self, op_id: str, body: bytes) -> str:
        """An operation that failed while it ran; ``body`` is ``{"errors": [...]}``."""

    def complete(self, op_id: str) -> str:
        """The operation is over."""
        return '{"type":"complete","id":' + _id(op_id) + "}"

    @abstractmethod
    def init_failed(self, message: str) -> Close:
        """``connection_init`` was refused (bad credentials)."""

    @abstractmethod
    def bad_message(self, message: str) -> Close | str:
        """A message that does not parse: close, or a message to send (the socket stays)."""

    @abstractmethod
    def not_initialised(self, op_id: str) -> Close | list[str]:
        """An operation started before ``connection_ack``."""

    @abstractmethod
    def duplicate(self, op_id: str) -> Close | list[str]:
        """An operation started with an id already in use."""

    def too_many_inits(self) -> Close:
        """A second ``connection_init``."""
        return Close(4429, "Too many initialisation requests")


class TransportWS(Protocol):
    """``graphql-transport-ws``: subscribe / next / error / complete, ping and pong."""

    name = TRANSPORT_WS
    start_types = frozenset({"subscribe"})
    stop_types = frozenset({"complete"})
    data_type = "next"

    def keepalive(self) -> str:
        """A ``ping`` (clients answer ``pong``)."""
        return '{"type":"ping","payload":{"message":"keepalive"}}'

    def errors(self, op_id: str, body: bytes) -> str:
        """``error`` whose payload is the list of errors."""
        errors = orjson.loads(body).get("errors", [])
        return ('{"type":"error","id":' + _id(op_id) + ',"payload":'
                + orjson.dumps(errors).decode() + "}")

    def run_error(self, op_id: str, body: bytes) -> str:
        """``error``, as before running."""
        return self.errors(op_id, body)

    def init_failed(self, message: str) -> Close:
        """4403 Forbidden."""
        return Close(4403, "Forbidden")

    def bad_message(self, message: str) -> Close:
        """4400."""
        return Close(4400, f"Parsing client message failed: {message}"[:120])

    def not_initialised(self, op_id: str) -> Close:
        """4401 Unauthorized."""
        return Close(4401, "Unauthorized")

    def duplicate(self, op_id: str) -> Close:
        """4409."""
        return Close(4409, f"Subscriber for {op_id} already exists"[:120])


class ApolloWS(Protocol):
    """``graphql-ws`` (subscriptions-transport-ws): start / data / error / complete / stop, ka."""

    name = APOLLO_WS
    start_types = frozenset({"start"})
    stop_types = frozenset({"stop"})
    data_type = "data"

    def keepalive(self) -> str:
        """``ka``."""
        return '{"type":"ka"}'

    def errors(self, op_id: str, body: bytes) -> str:
        """``error`` whose payload is ``{"errors": [...]}``."""
        return '{"type":"error","id":' + _id(op_id) + ',"payload":' + body.decode() + "}"

    def run_error(self, op_id: str, body: bytes) -> str:
        """``data`` holding the errors, as Hasura answers a failure while running."""
        return self.data(op_id, body.decode())

    def init_failed(self, message: str) -> Close:
        """``connection_error``, then 4400."""
        return Close(4400, f"Connection initialization failed: {message}"[:120],
                     '{"type":"connection_error","payload":' + _id(message) + "}")

    def bad_message(self, message: str) -> str:
        """``connection_error``; the socket stays open."""
        return ('{"type":"connection_error","payload":'
                + _id(f"Parsing client message failed: {message}") + "}")

    def not_initialised(self, op_id: str) -> list[str]:
        """``error`` (start-failed) then ``complete``."""
        payload = _error_payload("start received before the connection is initialised",
                                 "start-failed")
        return ['{"type":"error","id":' + _id(op_id) + ',"payload":' + payload.decode() + "}",
                self.complete(op_id)]

    def duplicate(self, op_id: str) -> list[str]:
        """``error`` (start-failed) then ``complete``."""
        payload = _error_payload(f"an operation already exists with this id: {op_id}",
                                 "start-failed")
        return ['{"type":"error","id":' + _id(op_id) + ',"payload":' + payload.decode() + "}",
                self.complete(op_id)]


_TRANSPORT_WS = TransportWS()
_APOLLO_WS = ApolloWS()


def choose(offered: list[str]) -> tuple[Protocol, str | None]:
    """The protocol for the client's ``Sec-WebSocket-Protocol`` list, and the one to accept.

    One instance of each protocol serves every connection (they hold no connection state).
    """
    if TRANSPORT_WS in offered:
        return _TRANSPORT_WS, TRANSPORT_WS
    if APOLLO_WS in offered:
        return _APOLLO_WS, APOLLO_WS
    return _APOLLO_WS, None
