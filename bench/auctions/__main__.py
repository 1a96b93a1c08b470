"""``python -m bench.auctions`` (see :mod:`bench.auctions.main`)."""

from bench.auctions.main import main

raise SystemExit(main())
