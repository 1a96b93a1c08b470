"""Consistency checks that plugin packages add to the metadata's own (before it is saved).

The database checks (:mod:`engine.metadata.consistency`) know tables and functions; a
package serving other objects (remote schemas, which must answer their introspection)
registers an async check here. Each returns the inconsistent objects it found; the manager
refuses the change when they are new, unless ``allow_inconsistent_metadata``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from engine.metadata.consistency import Inconsistency
from engine.metadata.context import OpContext

Check = Callable[[OpContext], Awaitable[list[Inconsistency]]]

CHECKS: list[Check] = []


def register_check(check: Check) -> Check:
    """Add ``check`` to every metadata change's consistency check."""
    CHECKS.append(check)
    return check


async def run_checks(ctx: OpContext) -> list[Inconsistency]:
    """What every registered check found for ``ctx``'s metadata."""
    found: list[Inconsistency] = []
    for check in CHECKS:
        found.extend(await check(ctx))
    return found
