"""``python -m bench.soak``."""

import sys

from bench.soak.main import main

sys.exit(main())
