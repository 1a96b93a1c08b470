"""Read and write Hasura metadata in the CLI's v3 directory format.

Reading resolves every ``!include`` (recursively, relative to the including file), merges
``actions.graphql`` with ``actions.yaml``, and returns the JSON ``replace_metadata`` takes,
plus a map of which file each part came from (so problems can name their file). Writing
takes the JSON of ``export_metadata`` and lays it out the way the CLI does: one file per
table, ``tables.yaml`` listing them, actions split into SDL and YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.errors import StackError
from devstack.hasura_project import actions_sdl, yaml_io

JsonPath = tuple[str | int, ...]

# Top-level files of the v3 directory and the metadata key each one holds.
TOP_LEVEL_FILES: dict[str, str] = {
    "actions.yaml": "actions",
    "allow_list.yaml": "allowlist",
    "api_limits.yaml": "api_limits",
    "backend_configs.yaml": "backend_configs",
    "cron_triggers.yaml": "cron_triggers",
    "graphql_schema_introspection.yaml": "graphql_schema_introspection",
    "inherited_roles.yaml": "inherited_roles",
    "metrics_config.yaml": "metrics_config",
    "network.yaml": "network",
    "opentelemetry.yaml": "opentelemetry",
    "query_collections.yaml": "query_collections",
    "remote_schemas.yaml": "remote_schemas",
    "rest_endpoints.yaml": "rest_endpoints",
}
# Files the CLI always writes, even when empty (the others only when they have content).
ALWAYS_WRITTEN = (
    "actions.yaml", "allow_list.yaml", "api_limits.yaml", "cron_triggers.yaml",
    "inherited_roles.yaml", "network.yaml", "query_collections.yaml", "remote_schemas.yaml",
    "rest_endpoints.yaml",
)
EMPTY_OBJECT_KEYS = {"api_limits", "network", "backend_configs", "metrics_config", "opentelemetry"}

# Key order of a table file, as the CLI writes it.
TABLE_KEY_ORDER = (
    "table", "is_enum", "configuration", "object_relationships", "array_relationships",
    "computed_fields", "remote_relationships", "insert_permissions", "select_permissions",
    "update_permissions", "delete_permissions", "event_triggers", "apollo_federation_config",
)


class MetadataDirError(StackError):
    """The metadata directory cannot be read (missing file, bad YAML, dangling include)."""


@dataclass
class MetadataDocument:
    """Metadata JSON and, for each part of it, the file it was read from."""

    metadata: dict[str, Any]
    origins: dict[JsonPath, Path] = field(default_factory=dict)

    def locate(self, path: JsonPath) -> tuple[Path, JsonPath]:
        """The file that holds ``path`` and the path inside that file."""
        for cut in range(len(path), -1, -1):
            origin = self.origins.get(path[:cut])
            if origin is not None:
                return origin, path[cut:]
        raise KeyError(path)


def metadata_dir(project_dir: Path) -> Path:
    """The metadata folder of a CLI project (``metadata_directory`` in config.yaml)."""
    config_path = project_dir / "config.yaml"
    config: dict[str, Any] = {}
    if config_path.exists():
        config = yaml_io.load(config_path) or {}
    if config.get("version", 3) != 3:
        raise MetadataDirError(f"{config_path}: only config version 3 is supported")
    return project_dir / str(config.get("metadata_directory", "metadata"))


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.origins: dict[JsonPath, Path] = {}

    def load(self, path: Path, at: JsonPath, chain: tuple[Path, ...] = ()) -> Any:
        if path in chain:
            raise MetadataDirError(f"{path}: !include cycle ({' -> '.join(map(str, chain))})")
        if not path.is_file():
            where = f" (included from {chain[-1]})" if chain else ""
            raise MetadataDirError(f"{path}: file not found{where}")
        try:
            data = yaml_io.load(path)
        except Exception as exc:  # a YAML error: report it with the file, whatever its kind
            raise MetadataDirError(f"{path}: invalid YAML: {exc}") from exc
        self.origins[at] = path
        return self.resolve(data, path, at, (*chain, path))

    def resolve(self, value: Any, path: Path, at: JsonPath, chain: tuple[Path, ...]) -> Any:
        target = yaml_io.include_target(value)
        if target is not None:
            return self.load((path.parent / target).resolve(), at, chain)
        if isinstance(value, dict):
            return {k: self.resolve(v, path, (*at, k), chain) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, path, (*at, i), chain) for i, v in enumerate(value)]
        return value


def read(project_dir: Path) -> MetadataDocument:
    """Read a CLI project's metadata directory into ``replace_metadata`` JSON.

    Raises:
        MetadataDirError: a file is missing or is not valid YAML, or actions do not match.
    """
    root = metadata_dir(project_dir)
    if not root.is_dir():
        raise MetadataDirError(f"metadata folder {root} does not exist")
    reader = _Reader(root)
    version_doc = reader.load(root / "version.yaml", ("version",)) or {}
    metadata: dict[str, Any] = {"version": version_doc.get("version", 3)}
    metadata["sources"] = reader.load(root / "databases" / "databases.yaml", ("sources",)) or []
    for file_name, key in TOP_LEVEL_FILES.items():
        path = root / file_name
        if key == "actions" or not path.exists():
            continue
        value = reader.load(path, (key,))
        if value not in (None, [], {}):
            metadata[key] = value
    actions_yaml_path = root / "actions.yaml"
    actions_yaml = (
        reader.load(actions_yaml_path, ("actions",)) if actions_yaml_path.exists() else {}
    )
    reader.origins[("custom_types",)] = actions_yaml_path
    graphql_path = root / "actions.graphql"
    sdl = graphql_path.read_text() if graphql_path.exists() else ""
    try:
        actions, custom_types = actions_sdl.merge(sdl, actions_yaml)
    except actions_sdl.ActionsSdlError as exc:
        raise MetadataDirError(f"{root}: {exc}") from exc
    if actions:
        metadata["actions"] = actions
    if any(custom_types.values()):
        metadata["custom_types"] = custom_types
    return MetadataDocument(metadata, reader.origins)


def normalise(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata with empty optional parts dropped, for comparing two documents semantically."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            cleaned = {k: strip(v) for k, v in value.items()}
            return {k: v for k, v in cleaned.items() if v not in ([], {}, None)}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    result: dict[str, Any] = strip(metadata)
    result.setdefault("sources", [])
    return result


def write(project_dir: Path, metadata: dict[str, Any]) -> list[Path]:
    """Write ``metadata`` (``export_metadata`` JSON) into the project's directory format.

    Table and function files that no longer exist in ``metadata`` are removed.

    Returns:
        The files written.
    """
    root = metadata_dir(project_dir)
    written: list[Path] = []

    def put(relative: str, data: Any) -> None:
        path = root / relative
        yaml_io.write(path, data)
        written.append(path)

    put("version.yaml", {"version": metadata.get("version", 3)})
    sources = []
    for source in metadata.get("sources") or []:
        sources.append(_write_source(root, source, written))
    put("databases/databases.yaml", sources)
    sdl, actions_yaml = actions_sdl.split(
        metadata.get("actions") or [], metadata.get("custom_types") or {}
    )
    (root / "actions.graphql").write_text(sdl)
    written.append(root / "actions.graphql")
    put("actions.yaml", actions_yaml)
    for file_name, key in TOP_LEVEL_FILES.items():
        if key == "actions":
            continue
        value = metadata.get(key)
        if value is None and file_name not in ALWAYS_WRITTEN:
            (root / file_name).unlink(missing_ok=True)
            continue
        put(file_name, value if value is not None else ({} if key in EMPTY_OBJECT_KEYS else []))
    return written


def _write_source(root: Path, source: dict[str, Any], written: list[Path]) -> dict[str, Any]:
    name = source["name"]
    entry = {k: v for k, v in source.items() if k not in ("tables", "functions")}
    tables_dir = root / "databases" / name / "tables"
    tables_dir.mkdir(parents=True, exist_ok=True)
    keep: set[Path] = set()
    includes = []
    for table in source.get("tables") or []:
        qualified = table["table"]
        if isinstance(qualified, str):
            qualified = {"name": qualified, "schema": "public"}
        file_name = f"{qualified.get('schema', 'public')}_{qualified['name']}.yaml"
        ordered = {k: table[k] for k in TABLE_KEY_ORDER if k in table}
        ordered.update({k: v for k, v in table.items() if k not in ordered})
        yaml_io.write(tables_dir / file_name, ordered)
        written.append(tables_dir / file_name)
        keep.add(tables_dir / file_name)
        includes.append(f"{yaml_io.INCLUDE_PREFIX}{file_name}")
    for stale in tables_dir.glob("*.yaml"):
        if stale.name != "tables.yaml" and stale not in keep:
            stale.unlink()
    yaml_io.write(tables_dir / "tables.yaml", includes)
    written.append(tables_dir / "tables.yaml")
    entry["tables"] = f"{yaml_io.INCLUDE_PREFIX}{name}/tables/tables.yaml"
    functions = source.get("functions") or []
    functions_dir = root / "databases" / name / "functions"
    if functions:
        function_includes = []
        for function in functions:
            qualified = function["function"]
            if isinstance(qualified, str):
                qualified = {"name": qualified, "schema": "public"}
            file_name = f"{qualified.get('schema', 'public')}_{qualified['name']}.yaml"
            yaml_io.write(functions_dir / file_name, function)
            written.append(functions_dir / file_name)
            function_includes.append(f"{yaml_io.INCLUDE_PREFIX}{file_name}")
        yaml_io.write(functions_dir / "functions.yaml", function_includes)
        entry["functions"] = f"{yaml_io.INCLUDE_PREFIX}{name}/functions/functions.yaml"
    return entry
