"""GraphQL subscriptions: live queries and streams, multiplexed as Hasura does.

Subscribers with the same query shape and role share a :class:`~engine.subscriptions.poller.Poller`;
each distinct (variables, session variables) is a cohort; one statement answers a batch of
cohorts (:mod:`engine.subscriptions.cohort`). The :class:`SubscriptionManager` owns the
pollers; the websocket route (:mod:`engine.server.websocket`) adds and removes subscribers.
"""

from engine.subscriptions.manager import SubscriptionManager, SubscriptionOptions

__all__ = ["SubscriptionManager", "SubscriptionOptions"]
