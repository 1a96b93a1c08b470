"""The timeline cache on Momento, seed 004's serverless cache (``TIMELINE_CACHE=momento``).

Momento keeps each item for the TTL given with it, as Redis does with ``PX``; the client
speaks gRPC to the endpoint of the API key's region (``MOMENTO_ENDPOINT``), or in plain
text to a Momento-compatible local server (``MOMENTO_LOCAL_ADDRESS``, for tests).
"""

from __future__ import annotations

from datetime import timedelta

from momento import CacheClientAsync, Configurations, CredentialProvider
from momento.responses import CacheGet, CacheSet

from timeline.cache.base import CacheUnavailableError

DEFAULT_TTL = timedelta(seconds=60)
"""Required by the client; every set here passes its own TTL."""


class MomentoCache:
    """Entries are Momento scalar items in one cache (``MOMENTO_CACHE_NAME``)."""

    def __init__(self, credentials: CredentialProvider, cache_name: str) -> None:
        self.credentials = credentials
        self.cache_name = cache_name
        self._client: CacheClientAsync | None = None

    @classmethod
    def connect(cls, api_key: str | None, cache_name: str, *, endpoint: str | None = None,
                local_address: str | None = None) -> MomentoCache:
        """A cache on Momento (v2 API key and its endpoint) or on a local server."""
        if local_address:
            host, _, port = local_address.rpartition(":")
            return cls(CredentialProvider.for_momento_local(host, int(port)), cache_name)
        if not api_key or not endpoint:
            raise ValueError("Momento needs an API key and its endpoint")
        return cls(CredentialProvider.from_api_key_v2(api_key, endpoint), cache_name)

    @property
    def client(self) -> CacheClientAsync:
        """The client, created on first use (its gRPC channel belongs to the running loop)."""
        if self._client is None:
            self._client = CacheClientAsync(Configurations.Lambda.latest(), self.credentials,
                                            DEFAULT_TTL)
        return self._client

    async def get(self, key: str) -> bytes | None:
        """The value under ``key``, or None."""
        answer = await self.client.get(self.cache_name, key)
        if isinstance(answer, CacheGet.Hit):
            return answer.value_bytes
        if isinstance(answer, CacheGet.Miss):
            return None
        raise CacheUnavailableError(f"momento get failed: {_reason(answer)}")

    async def set(self, key: str, value: bytes, ttl_ms: int) -> None:
        """Store ``value`` for ``ttl_ms`` milliseconds."""
        if ttl_ms <= 0:
            raise ValueError("a cache entry needs a positive TTL")
        answer = await self.client.set(self.cache_name, key, value,
                                       ttl=timedelta(milliseconds=ttl_ms))
        if not isinstance(answer, CacheSet.Success):
            raise CacheUnavailableError(f"momento set failed: {_reason(answer)}")

    async def close(self) -> None:
        """Close the gRPC channels."""
        if self._client is not None:
            await self._client.__aexit__(None, None, None)
            self._client = None


def _reason(answer: object) -> str:
    # The error code and message (never the key or value).
    code = getattr(answer, "error_code", None)
    return f"{code}: {getattr(answer, 'message', type(answer).__name__)}"
