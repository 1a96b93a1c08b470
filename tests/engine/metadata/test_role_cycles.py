"""Cycles of inherited roles: refused, named in the order Hasura names them."""

from __future__ import annotations

from typing import Any

from devstack.services.engine import EngineHandle
from engine.metadata.role_cycles import cycles

_CIRCULAR = [
    {"role_name": "intermediate_circular_role_1",
     "role_set": ["manager_employee", "circular_role"]},
    {"role_name": "intermediate_circular_role_2",
     "role_set": ["intermediate_circular_role_1", "employee"]},
    {"role_name": "circular_role", "role_set": ["intermediate_circular_role_2", "author"]},
]
_MESSAGE = ('found cycle(s) in roles: ["circular_role","intermediate_circular_role_2",'
            '"intermediate_circular_role_1","circular_role"]')


def _metadata(inherited: list[dict[str, Any]]) -> dict[str, Any]:
    perms: list[dict[str, Any]] = [{"role": r, "permission": {"columns": [], "filter": {}}}
                                   for r in ("author", "employee", "manager")]
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": {"schema": "public", "name": "t"}, "select_permissions": perms}]}],
        "inherited_roles": inherited}


def test_cycles_names_each_cycle_from_its_first_role_back_to_it() -> None:
    """Cycles names each cycle from its first role back to it.

    GIVEN three inherited roles inheriting in a circle, beside acyclic ones WHEN the cycles are
    listed THEN one cycle, in Hasura's order, its first role repeated; a role inheriting from
    itself is a cycle of one; acyclic roles are none.
    """
    acyclic = [{"role_name": "manager_employee", "role_set": ["manager", "employee"]}]
    assert cycles(_metadata(acyclic + _CIRCULAR)) == [
        ["circular_role", "intermediate_circular_role_2", "intermediate_circular_role_1",
         "circular_role"]]
    assert cycles(_metadata(acyclic)) == []
    assert cycles(_metadata([{"role_name": "me", "role_set": ["me"]}])) == [["me", "me"]]


def test_replace_metadata_with_a_role_cycle_is_refused(api: EngineHandle) -> None:
    """Replace metadata with a role cycle is refused.

    GIVEN the metadata with a circle of inherited roles WHEN replaced, or when the role closing
    a circle is added THEN 400 cyclic-dependency with Hasura's message; nothing is kept.
    """
    api.run_sql("create table if not exists t (id int primary key)")
    try:
        acyclic = [{"role_name": "manager_employee", "role_set": ["manager", "employee"]}]
        refused = api.query({"type": "replace_metadata", "args": {
            "metadata": _metadata(acyclic + _CIRCULAR)}})
        assert refused.status_code == 400, refused.text
        assert refused.json()["code"] == "cyclic-dependency"
        assert refused.json()["error"] == _MESSAGE
        kept = api.query({"type": "replace_metadata", "args": _metadata(acyclic + _CIRCULAR[:2])})
        assert kept.status_code == 200, kept.text
        closing = api.metadata({"type": "add_inherited_role", "args": _CIRCULAR[2]})
        assert closing.status_code == 400, closing.text
        assert closing.json()["error"] == _MESSAGE
        exported = api.metadata({"type": "export_metadata", "args": {}}).json()
        assert [r["role_name"] for r in exported["inherited_roles"]] == [
            "manager_employee", "intermediate_circular_role_1", "intermediate_circular_role_2"]
    finally:
        api.query({"type": "clear_metadata", "args": {}})
        api.run_sql("drop table if exists t")
