"""``python -m bench.timeline``: homeTimeline p50/p99, cached against uncached (JSON)."""

from bench.timeline.main import main

main()
