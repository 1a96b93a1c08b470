"""Hasura's API limits (``api_limits`` in the metadata): depth, node, time, batch and rate.

:class:`ApiLimits` reads the metadata once per schema build; :meth:`ApiLimits.for_role`
gives the limits of one role (the role's own, else the global one). The checks that look
at an operation (depth, nodes) live in :mod:`engine.limits.operation` so that every path
that prepares an operation (HTTP, websocket) calls the same code.
"""

from engine.limits.config import ApiLimits, RateLimitConfig, RoleLimits
from engine.limits.operation import measure_operation
from engine.limits.rate import RateLimiter

__all__ = ["ApiLimits", "RateLimitConfig", "RateLimiter", "RoleLimits", "measure_operation"]
