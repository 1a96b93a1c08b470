"""Live-query subscriptions at scale: N real websocket subscribers, a writer, latency and cost.

``python -m bench.subscriptions`` (see ``__main__``).
"""
