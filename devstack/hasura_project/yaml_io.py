"""YAML the way the Hasura CLI reads and writes it.

The CLI splits metadata over files joined by ``!include <relative path>``: written as a quoted
string (``tables: "!include default/tables/tables.yaml"``), though a bare ``!include`` tag is
accepted on read too. Output uses block style with sequences indented under their key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

INCLUDE_PREFIX = "!include "


@dataclass(frozen=True)
class Include:
    """An ``!include`` reference, relative to the folder of the file that holds it."""

    target: str


class _Loader(yaml.SafeLoader):
    """SafeLoader that also understands the ``!include`` tag."""


def _construct_include(loader: yaml.SafeLoader, node: yaml.Node) -> Include:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return Include(str(value).strip())


_Loader.add_constructor("!include", _construct_include)


def load(path: Path) -> Any:
    """Parse one YAML file (``!include`` tags become :class:`Include`; strings stay strings)."""
    with path.open() as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def include_target(value: Any) -> str | None:
    """The relative path if ``value`` is an include (tag or ``"!include ..."`` string)."""
    if isinstance(value, Include):
        return value.target
    if isinstance(value, str) and value.startswith(INCLUDE_PREFIX):
        return value[len(INCLUDE_PREFIX):].strip()
    return None


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their parent key, as the CLI writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(data: Any) -> str:
    """Serialise ``data`` as the CLI does (keys in the order given, no flow style)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1000)


def write(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` (creating folders)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data))
