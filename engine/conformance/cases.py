"""The manifest and YAML case files of a conformance folder."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_HGE_ENV = re.compile(r"hge_env\(\s*'([A-Z_]+)'\s*,\s*'([^']*)'\s*\)")


@dataclass(frozen=True)
class Request:
    """One request of a case with its expected answer."""

    url: str
    status: int
    headers: dict[str, str]
    query: Any
    response: Any
    description: str = ""
    allowed: tuple[Any, ...] = ()
    """``allowed_responses``: any of these bodies matches (when the case gives them)."""

    @property
    def without_admin_secret(self) -> bool:
        """Whether the original harness sends this request without the admin secret."""
        return "without admin secret" in self.description.lower()


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
    attrs: dict[str, Any] = field(default_factory=dict)
    decorators: tuple[str, ...] = ()
    transports: tuple[str, ...] = ("http",)
    """How the original class sent its cases: ``http``, and ``websocket`` when parametrized."""

    @property
    def metadata_api_version(self) -> str:
        """``v1`` (state through /v1/query) or ``v2`` (/v2/query plus /v1/metadata)."""
        return str(self.attrs.get("setup_metadata_api_version") or "v1")

    @property
    def engine_env(self) -> dict[str, str]:
        """Server environment the class needs (its ``hge_env(NAME, VALUE)`` marks)."""
        return {m.group(1): m.group(2) for d in self.decorators
                for m in [_HGE_ENV.search(d)] if m}


def _request(raw: dict[str, Any]) -> Request:
    return Request(
        url=str(raw.get("url", "/v1/graphql")),
        status=int(raw.get("status", 200)),
        headers={str(k): str(v) for k, v in (raw.get("headers") or {}).items()},
        query=raw.get("query"),
        response=raw.get("response"),
        description=str(raw.get("description", "")),
        allowed=tuple(a.get("response") if isinstance(a, dict) else a
                      for a in raw.get("allowed_responses") or ()),
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
        decorators = tuple(str(d) for d in entry.get("decorators") or ())
        joined = " ".join(decorators)
        transports = ("http", "websocket") if "'transport'" in joined and \
            "'websocket'" in joined else ("http",)
        tc = TestClass(str(entry.get("class") or entry.get("name")), cdir,
                       tuple(entry.get("fixtures") or ()), attrs=dict(entry.get("attrs") or {}),
                       decorators=decorators, transports=transports)
        for c in entry.get("cases") or []:
            path = cdir / c["file"]
            raw = load_yaml(path)
            items = raw if isinstance(raw, list) else [raw]
            tc.cases.append(Case(str(c.get("test", path.stem)), path,
                                 [_request(i) for i in items if isinstance(i, dict)],
                                 tuple(c.get("marks") or ())))
        out.append(tc)
    return out
