"""The timeline cache: one interface, one implementation per backend, chosen by a setting."""

from timeline.cache.base import CacheUnavailableError, TimelineCache

__all__ = ["CacheUnavailableError", "TimelineCache"]
