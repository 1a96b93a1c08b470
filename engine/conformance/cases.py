"""The manifest and YAML case files of a conformance folder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Request:
    """One request of a case with its expected answer."""

    url: str
    status: int
    headers: dict[str, str]
    query: Any
    response: Any
    description: str = ""


@dataclass(frozen=True)
class Case:
    """One test of a class: a YAML file holding one request or a list of them."""

    test: str
    file: Path
    requests: list[Request]
    marks: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``<file stem>`` (what the original suite's ids show)."""
        return self.file.stem


@dataclass(frozen=True)
class TestClass:
    """A test class: its folder, how state is prepared, and its cases."""

    name: str
    dir: Path
    fixtures: tuple[str, ...]
    cases: list[Case] = field(default_factory=list)
    transports: tuple[str, ...] = ("http",)
    """How the original class sent its cases: ``http``, and ``websocket`` when parametrized."""


def _request(raw: dict[str, Any]) -> Request:
    return Request(
        url=str(raw.get("url", "/v1/graphql")),
        status=int(raw.get("status", 200)),
        headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
        query=raw.get("query"),
        response=raw.get("response"),
        description=str(raw.get("description", "")),
    )


def load_yaml(path: Path) -> Any:
    """A YAML document (``None`` when the file does not exist)."""
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load(folder: Path) -> list[TestClass]:
    """Every class of ``folder/manifest.json`` with its cases loaded."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    classes = manifest if isinstance(manifest, list) else manifest.get("classes", [])
    out: list[TestClass] = []
    for entry in classes:
        cdir = folder / entry["dir"]
        decorators = " ".join(entry.get("decorators") or ())
        transports = ("http", "websocket") if "'transport'" in decorators and \
            "'websocket'" in decorators else ("http",)
        tc = TestClass(str(entry.get("class") or entry.get("name")), cdir,
                       tuple(entry.get("fixtures") or ()), transports=transports)
        for c in entry.get("cases") or []:
            path = cdir / c["file"]
            raw = load_yaml(path)
            items = raw if isinstance(raw, list) else [raw]
            tc.cases.append(Case(str(c.get("test", path.stem)), path,
                                 [_request(i) for i in items if isinstance(i, dict)],
                                 tuple(c.get("marks") or ())))
        out.append(tc)
    return out
