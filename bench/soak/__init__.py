"""A bounded soak test of the engine's API limits under a deep-query attack (loopback only)."""
