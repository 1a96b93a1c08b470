"""``python -m bench.joins``: p50/p99 of 100 profiles with and without the credit-history join."""

from bench.joins.main import main

main()
