"""The workload: Hasura's Chinook query set (config, metadata, dump) and PostGraphile's twins."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from devstack import reference
from devstack.paths import REPO_ROOT

CHINOOK = ("bench", "chinook")
"""Hasura's Chinook set (config, metadata, dump) in the reference folder (REFERENCE_DIR)."""
POSTGRAPHILE_DIR = REPO_ROOT / "bench" / "postgraphile"
POSTGRAPHILE_QUERIES = POSTGRAPHILE_DIR / "queries"

_LOAD_LEVEL = re.compile(r"_(low|high)_load")
_OPERATION = re.compile(r"^\s*query(\s+\w+)?(\s*\([^)]*\))?", re.MULTILINE)
"""``query Name($v: T)`` up to where directives go (the config's queries are named)."""


@dataclass(frozen=True)
class Case:
    """One distinct query + variables of the config (its low- and high-load entries share it)."""

    name: str
    query: str
    variables: dict[str, Any]
    rates: tuple[tuple[str, float], ...]
    """(config entry name, arrival rate in requests/s) of each constant-arrival-rate entry."""
    postgraphile_query: str | None = None

    @property
    def hits_database(self) -> bool:
        """Whether answering it runs SQL (introspection is answered from the schema)."""
        return "__schema" not in self.query

    def body(self) -> str:
        """The GraphQL request body for the engine."""
        return json.dumps({"query": self.query, "variables": self.variables or None})

    def cached_query(self) -> str:
        """The query with Hasura's ``@cached(ttl: 300)`` on its operation."""
        return _OPERATION.sub(lambda m: f"{m.group(0)} @cached(ttl: 300)", self.query, count=1)

    def cached_body(self) -> str:
        """The request body of the ``engine_cached`` target (``@cached`` added)."""
        return json.dumps({"query": self.cached_query(), "variables": self.variables or None})

    def postgraphile_body(self) -> str:
        """The request body for PostGraphile (same variables, its own query text)."""
        return json.dumps({"query": self.postgraphile_query or self.query,
                           "variables": self.variables or None})


@dataclass(frozen=True)
class Workload:
    """Everything the config says: the cases and the headers every request carries."""

    cases: tuple[Case, ...]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def admin_secret(self) -> str:
        """The admin secret the config's headers present (the engine is started with it)."""
        return self.headers.get("X-Hasura-Admin-Secret", "")


def case_name(entry_name: str) -> str:
    """``complex_query_low_load_small_result`` → ``complex_query_small_result``."""
    return _LOAD_LEVEL.sub("", entry_name)


def chinook_file(name: str) -> Path:
    """A file of the Chinook set.

    Raises:
        ReferenceMissingError: the reference folder lacks it (one line naming the setting).
    """
    return reference.require(*CHINOOK, name)


def load_workload(config_path: Path | None = None,
                  postgraphile_queries: Path = POSTGRAPHILE_QUERIES) -> Workload:
    """Read the config and pair each case with ``queries/<case>.graphql`` when present."""
    config_path = config_path or chinook_file("config.query.yaml")
    config = yaml.safe_load(config_path.read_text())
    headers = {name: str(value) for name, value in (config.get("headers") or {}).items()}
    grouped: dict[str, dict[str, Any]] = {}
    for entry in config["queries"]:
        name = case_name(entry["name"])
        scenario = entry.get("options", {}).get("k6", {}).get("scenarios", {}).get("main", {})
        case = grouped.setdefault(name, {"query": entry["query"],
                                         "variables": entry.get("variables") or {},
                                         "rates": []})
        if "rate" in scenario:
            case["rates"].append((entry["name"], float(scenario["rate"])))
    cases = []
    for name, data in grouped.items():
        twin = postgraphile_queries / f"{name}.graphql"
        cases.append(Case(name=name, query=data["query"], variables=data["variables"],
                          rates=tuple(data["rates"]),
                          postgraphile_query=twin.read_text() if twin.exists() else None))
    return Workload(tuple(cases), headers)


def replace_metadata() -> dict[str, Any]:
    """The ``replace_metadata`` request of the benchmark."""
    data: dict[str, Any] = json.loads(chinook_file("replace_metadata.json").read_text())
    return data
