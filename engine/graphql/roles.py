"""What a role may do with a table (admin may do everything)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.graphql.model import DeletePerm, InsertPerm, SelectPerm, TableInfo, UpdatePerm
from engine.session import ADMIN_ROLE


@dataclass(frozen=True)
class Access:
    """A role's permissions on one table (None: not allowed)."""

    select: SelectPerm | None
    insert: InsertPerm | None
    update: UpdatePerm | None
    delete: DeletePerm | None


def access(info: TableInfo, role: str, backend: bool = False) -> Access:
    """The permissions of ``role`` on ``info``.

    ``backend`` says the request may use backend-only insert permissions (admin secret plus
    ``x-hasura-use-backend-only-permissions: true``).
    """
    table = info.table
    if role == ADMIN_ROLE:
        cols = frozenset(table.columns)
        return Access(
            SelectPerm(cols, {}, None, True, frozenset(info.computed)),
            InsertPerm(frozenset(c for c, col in table.columns.items() if not col.generated), {})
            if table.insertable else None,
            UpdatePerm(frozenset(c for c, col in table.columns.items() if not col.generated),
                       {}, None) if table.updatable else None,
            DeletePerm({}) if table.deletable else None,
        )
    insert = info.insert.get(role) if table.insertable else None
    if insert is not None and insert.backend_only and not backend:
        insert = None
    return Access(
        info.select.get(role),
        insert,
        info.update.get(role) if table.updatable else None,
        info.delete.get(role) if table.deletable else None,
    )
