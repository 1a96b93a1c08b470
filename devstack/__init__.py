"""The local stack: every service of the backend on one machine, with real servers."""
