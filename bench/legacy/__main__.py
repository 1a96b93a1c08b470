"""``python -m bench.legacy``."""

from bench.legacy.main import main

main()
