"""Which functions the local runtime serves and the environment each one gets."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devstack.paths import REPO_ROOT

CONFIG_ENV = "LAMBDA_RUNTIME_CONFIG"
"""Environment variable naming the JSON file written by ``devstack`` for the runtime."""

LAMBDAS_DIR = REPO_ROOT / "lambdas"


@dataclass(frozen=True)
class FunctionConfig:
    """One function: its handler module and its own environment variables."""

    name: str
    module: str
    environment: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 30.0


@dataclass(frozen=True)
class RuntimeConfig:
    """Every function the runtime serves, by name."""

    functions: Mapping[str, FunctionConfig]

    @classmethod
    def load(cls) -> RuntimeConfig:
        """Read the file named by ``LAMBDA_RUNTIME_CONFIG`` (fails at start-up when missing)."""
        path = os.environ.get(CONFIG_ENV)
        if not path:
            raise SystemExit(f"setting {CONFIG_ENV} is required (path of the runtime's JSON)")
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def from_dict(cls, raw: Mapping[str, object]) -> RuntimeConfig:
        """Build from ``{"common_environment": {...}, "functions": {name: {...}}}``."""
        common = _str_map(raw.get("common_environment", {}))
        overrides = raw.get("functions", {})
        if not isinstance(overrides, Mapping):
            raise SystemExit("lambda runtime config: 'functions' must be an object")
        functions = {}
        for name in discover_functions():
            spec = overrides.get(name, {})
            if not isinstance(spec, Mapping):
                raise SystemExit(f"lambda runtime config: function {name!r} must be an object")
            env = {**common, **_str_map(spec.get("environment", {}))}
            timeout = float(spec.get("timeout", 30.0))
            functions[name] = FunctionConfig(name, f"lambdas.{name}.handler", env, timeout)
        return cls(functions)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape :meth:`from_dict` reads (every environment spelled out)."""
        return {
            "functions": {
                f.name: {"environment": dict(f.environment), "timeout": f.timeout}
                for f in self.functions.values()
            }
        }


def discover_functions(root: Path = LAMBDAS_DIR) -> list[str]:
    """Names of the packages under ``lambdas/`` that have a ``handler.py``."""
    if not root.is_dir():
        return []
    return sorted(p.parent.name for p in root.glob("*/handler.py") if p.parent.name != "shared")


def _str_map(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise SystemExit("lambda runtime config: environments must be objects")
    return {str(k): str(v) for k, v in value.items()}
