"""Remote joins: fields of table rows answered by another server, one call per field.

The statement puts, in each selected join field's place, an object holding the field's slot
number and its join columns (``{"__join_slot": 0, "national_id": "..."}``). After the
statement ran, :func:`resolve_joins` collects every occurrence of each slot across the whole
answer, in response order, asks the field's resolver ONCE with all of them (slots of the same
query field together), and puts each answer in its place. Only rows that reached the answer
(the table's permissions and the query's filters applied in SQL) are joined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from engine.graphql.providers import JoinCall, JoinField
from engine.graphql.selection import Selected
from engine.session import Session

JOIN_SLOT_KEY = "__join_slot"
"""The key marking a join field's placeholder in the statement's JSON."""

Place = tuple[dict[str, Any], str, dict[str, Any]]
"""(the object holding the field, the field's response key, the join columns)."""


def _collect(value: Any, found: dict[int, list[Place]]) -> None:
    if isinstance(value, list):
        for item in value:
            _collect(item, found)
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        if isinstance(item, dict) and JOIN_SLOT_KEY in item:
            slot = int(item.pop(JOIN_SLOT_KEY))
            found.setdefault(slot, []).append((value, key, item))
        elif isinstance(item, dict | list):
            _collect(item, found)


async def resolve_joins(text: str | bytes, slots: Sequence[tuple[JoinField, Selected]],
                        session: Session, headers: Mapping[str, str],
                        fragments: Mapping[str, Any], variables: Mapping[str, Any]) -> bytes:
    """The statement's JSON with every join field answered (one resolver call per slot)."""
    value = orjson.loads(text)
    found: dict[int, list[Place]] = {}
    _collect(value, found)
    # Slots of one field of the query (the same relationship under the same selection, e.g.
    # each update of update_<table>_many) are answered together: one call per field.
    groups: dict[tuple[int, int], tuple[JoinField, Selected, list[Place]]] = {}
    for slot, places in sorted(found.items()):
        join, selected = slots[slot]
        groups.setdefault((id(join), id(selected.node)), (join, selected, []))[2].extend(places)
    for join, selected, places in groups.values():
        answers = await join.resolve(JoinCall(
            rows=[columns for _, _, columns in places], node=selected.node, session=session,
            headers=headers, fragments=fragments, variables=variables))
        for (holder, key, _), answer in zip(places, answers, strict=True):
            holder[key] = answer
    return orjson.dumps(value)
