"""``python -m bench.events``: event trigger delivery throughput (JSON on stdout)."""

from bench.events.main import main

main()
