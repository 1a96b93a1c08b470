"""Remote schema customization: a root-field namespace, type and field renames.

Hasura's ``customization`` object::

    root_fields_namespace: credit           # the remote's root fields under query_root.credit
    type_names: {prefix: C_, suffix: _t, mapping: {Report: CreditReport}}
    field_names: [{parent_type: Query, prefix: ch_, mapping: {report: one_report}}]

Names are changed in the schema the client sees; queries are sent to the remote with the
original names and answers are mapped back (``__typename`` values). Built-in scalars and
introspection types keep their names. ``mapping`` wins over prefix/suffix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


@dataclass(frozen=True)
class FieldRenames:
    """How the fields of one (original) parent type are renamed."""

    prefix: str = ""
    suffix: str = ""
    mapping: Mapping[str, str] = field(default_factory=dict)

    def apply(self, name: str) -> str:
        """The customized name of field ``name``."""
        found = self.mapping.get(name)
        return found if found is not None else f"{self.prefix}{name}{self.suffix}"


@dataclass(frozen=True)
class Customization:
    """One remote schema's customization (empty: names as the remote has them)."""

    namespace: str | None = None
    type_prefix: str = ""
    type_suffix: str = ""
    type_mapping: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, FieldRenames] = field(default_factory=dict)
    """Original parent type name → its field renames."""

    @classmethod
    def from_json(cls, raw: Any) -> Customization:
        """Read Hasura's ``customization`` object (None or {} for none)."""
        if not isinstance(raw, dict):
            return cls()
        types = raw.get("type_names") or {}
        fields: dict[str, FieldRenames] = {}
        for item in raw.get("field_names") or ():
            if isinstance(item, dict) and isinstance(item.get("parent_type"), str):
                fields[item["parent_type"]] = FieldRenames(
                    str(item.get("prefix") or ""), str(item.get("suffix") or ""),
                    dict(item.get("mapping") or {}))
        namespace = raw.get("root_fields_namespace")
        return cls(namespace=str(namespace) if namespace else None,
                   type_prefix=str(types.get("prefix") or ""),
                   type_suffix=str(types.get("suffix") or ""),
                   type_mapping=dict(types.get("mapping") or {}), fields=fields)

    def type_name(self, name: str) -> str:
        """The customized name of the remote's type ``name``."""
        if name in BUILTIN_SCALARS or name.startswith("__"):
            return name
        found = self.type_mapping.get(name)
        return found if found is not None else f"{self.type_prefix}{name}{self.type_suffix}"

    def field_name(self, parent: str, name: str) -> str:
        """The customized name of field ``name`` of the remote's type ``parent``."""
        if name.startswith("__"):
            return name
        renames = self.fields.get(parent)
        return name if renames is None else renames.apply(name)
