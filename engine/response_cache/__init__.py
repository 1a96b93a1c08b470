"""Hasura's query response cache: ``@cached`` queries answered from Redis.

- :mod:`.key`: the cache key (query, operation name, variables, role and the session
  variables the query's permissions read) and the query family key;
- :mod:`.store`: entries in Redis, with their family, and clearing;
- :mod:`.serve`: answering a ``@cached`` query over HTTP, with Hasura's headers;
- :mod:`.routes`: ``POST /pro/cache/clear``.
"""

from engine.response_cache.store import RedisResponseStore

__all__ = ["RedisResponseStore"]
