"""Inherited roles whose parents disagree on a mutation permission: inconsistent, as in Hasura.

An inherited role without its own insert, update or delete permission on a table inherits the
parents' one only when every parent holding one holds the same (see
``engine.graphql.inherited``). When they differ Hasura reports the inherited role as
inconsistent (``Could not inherit permission for the role 'users' for the entity: 'insert
permission, table: author, source: 'default''``) and ``drop_inconsistent_metadata`` removes it.
"""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.consistency import Inconsistency

_KINDS = ("insert", "update", "delete")


class InheritedPermissionConflict(Inconsistency):
    """Hasura's ``inherited role permission inconsistency`` (no definition, an entity)."""

    def to_json(self) -> dict[str, Any]:
        """Hasura's shape: the role, the reason and the entity it could not inherit."""
        return {"reason": self.reason, "name": self.name,
                "type": "inherited role permission inconsistency", "entity": self.definition}


def check(metadata: model.Metadata) -> list[Inconsistency]:
    """Every (inherited role, table, mutation kind) whose parents' permissions differ."""
    inherited = {r["role_name"]: list(r.get("role_set") or [])
                 for r in metadata.get("inherited_roles") or []
                 if isinstance(r, dict) and isinstance(r.get("role_name"), str)}
    found: list[Inconsistency] = []
    if not inherited:
        return found
    for source in model.sources(metadata):
        source_name = source.get("name", model.DEFAULT_SOURCE)
        for table in model.tables(source):
            shown = model.show(model.qualified(table["table"]))
            for kind in _KINDS:
                own = {p["role"]: _normal(p.get("permission"))
                       for p in table.get(f"{kind}_permissions") or [] if isinstance(p, dict)}
                for role in _conflicting(inherited, own):
                    entity = {"permission_type": kind, "source": source_name, "table": shown}
                    found.append(InheritedPermissionConflict(
                        "inherited role permission inconsistency", role,
                        f"Could not inherit permission for the role '{role}' for the entity: "
                        f"'{kind} permission, table: {shown}, source: '{source_name}''",
                        entity, _drop_role(role)))
    return found


def _conflicting(inherited: dict[str, list[str]], own: dict[str, Any]) -> list[str]:
    """Inherited roles (parents first) whose parents hold differing permissions."""
    derived: dict[str, Any] = dict(own)
    conflicts: list[str] = []
    done: set[str] = set()

    def resolve(role: str, path: frozenset[str]) -> None:
        if role in done or role in path or role not in inherited:
            return
        for parent in inherited[role]:
            resolve(parent, path | {role})
        done.add(role)
        if role in own:
            return
        held = [derived[p] for p in inherited[role] if p in derived]
        if held and any(h != held[0] for h in held[1:]):
            conflicts.append(role)
        elif held:
            derived[role] = held[0]

    for role in inherited:
        resolve(role, frozenset())
    return conflicts


def _normal(permission: Any) -> Any:
    """A permission compared as Hasura compares built ones: column order aside."""
    if not isinstance(permission, dict):
        return permission
    out = {k: v for k, v in permission.items() if not (k == "backend_only" and v is False)}
    if isinstance(out.get("columns"), list):
        out["columns"] = sorted(map(str, out["columns"]))
    return out


def _drop_role(role: str) -> Any:
    def remove(metadata: model.Metadata) -> None:
        metadata["inherited_roles"] = [r for r in metadata.get("inherited_roles") or []
                                       if r.get("role_name") != role]
        model.drop_empty(metadata, "inherited_roles")
    return remove
