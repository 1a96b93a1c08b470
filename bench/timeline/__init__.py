"""``python -m bench.timeline``: homeTimeline latency, cached against uncached."""
