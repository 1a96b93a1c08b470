"""A JWKS fetched from ``jwk_url`` and cached as the response's headers allow.

The set is refreshed after ``Cache-Control: max-age`` (or ``Expires``) runs out; without
either it is kept until a token names a ``kid`` the set does not hold. Refetches for an
unknown ``kid`` are rate-limited so a stream of forged ``kid`` values cannot turn the
engine into a load generator against the key server.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time
import warnings
from collections.abc import Callable

import httpx
from joserfc import jwk

from engine.auth.published_keys import published_key_name

logger = logging.getLogger("engine.auth.jwks")

MIN_REFETCH_INTERVAL = 10.0
"""Seconds between two refetches caused by an unknown ``kid``."""
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


class JwksError(Exception):
    """The key set cannot be fetched or read."""


class JwksCache:
    """The keys of one JWKS URL, by ``kid``."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        allow_published: bool = False,
    ) -> None:
        self.url = url
        self.allow_published = allow_published
        self.published_seen: str | None = None
        """The published key the last fetched set held (kept out unless allowed)."""
        self._client = client
        self._clock = clock
        self._keys: dict[str | None, jwk.Key] = {}
        self._expires_at: float | None = None
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def key_for(self, kid: str | None) -> jwk.Key | None:
        """The key named ``kid`` (the only key when the token names none), fetching if needed."""
        now = self._clock()
        stale = self._fetched_at is None or (
            self._expires_at is not None and now >= self._expires_at
        )
        if stale:
            await self._refresh(force=True)
        key = self._find(kid)
        if key is None and self._may_refetch():
            await self._refresh(force=False)
            key = self._find(kid)
        return key

    def _find(self, kid: str | None) -> jwk.Key | None:
        if kid is not None:
            return self._keys.get(kid)
        if len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return None

    def _may_refetch(self) -> bool:
        return (
            self._fetched_at is None
            or self._clock() - self._fetched_at >= MIN_REFETCH_INTERVAL
        )

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if not force and not self._may_refetch():
                return
            if force and self._fetched_at is not None and (
                self._expires_at is None or self._clock() < self._expires_at
            ):
                return
            await self._fetch()

    async def _fetch(self) -> None:
        self.fetches += 1
        self._fetched_at = self._clock()
        try:
            client = self._client or httpx.AsyncClient(timeout=5.0)
            try:
                response = await client.get(self.url)
            finally:
                if self._client is None:
                    await client.aclose()
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("cannot fetch the JWKS from %s: %s", self.url, exc)
            # Keep the previous keys; try again after the minimum interval.
            self._expires_at = self._clock() + MIN_REFETCH_INTERVAL
            return
        self._keys, self.published_seen = _read_keys(document, self.allow_published)
        if self.published_seen and not self.allow_published:
            logger.error("the JWKS at %s holds %s: that key is ignored", self.url,
                         self.published_seen)
        expires_at = _expiry(response.headers, self._clock())
        # A max-age of 0 (or no-cache) must not turn every request into a fetch.
        self._expires_at = None if expires_at is None else max(expires_at, self._clock() + 1.0)


def _read_keys(document: object, allow_published: bool = False
               ) -> tuple[dict[str | None, jwk.Key], str | None]:
    """The set's usable keys by ``kid``, and the name of a published key it held."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        logger.warning("the JWKS document has no 'keys' list")
        return {}, None
    keys: dict[str | None, jwk.Key] = {}
    published: str | None = None
    for entry in document["keys"]:
        # Shared-secret keys have no place in a published key set: refuse them.
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        name = published_key_name(entry)
        if name is not None:
            published = name
            if not allow_published:
                continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                key = jwk.import_key(entry)
        except Exception:  # noqa: S112 - one unreadable key must not hide the others
            continue
        keys[entry.get("kid")] = key
    return keys, published


def _expiry(headers: httpx.Headers, now: float) -> float | None:
    """When the response stops being fresh: max-age first, then Expires, else never."""
    cache_control = headers.get("cache-control", "")
    if "no-cache" in cache_control.lower() or "no-store" in cache_control.lower():
        return now
    match = _MAX_AGE.search(cache_control)
    if match:
        return now + int(match.group(1))
    expires = headers.get("expires")
    if expires:
        try:
            parsed = email.utils.parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return now
        return parsed.timestamp()
    return None
