"""The engine's metadata: the v3 export JSON, its storage, its API operations and consistency."""
