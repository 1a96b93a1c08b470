"""Metadata in any version Hasura accepts (v1, v2, v3) brought to the v3 model.

v1/v2 list ``tables`` and ``functions`` at the top level for one implicit database; v3
lists them per source. Table names and relationship/permission shapes are the same, so
conversion moves them under the ``default`` source and normalises names.
"""

from __future__ import annotations

from typing import Any

from engine.metadata import model
from engine.metadata.errors import parse_failed

_SOURCE_LEVEL = ("tables", "functions")


def to_v3(document: Any) -> model.Metadata:
    """``document`` (v1/v2/v3 export JSON) as normalised v3 metadata.

    Raises:
        MetadataError: parse-failed when the document is not metadata.
    """
    if not isinstance(document, dict):
        raise parse_failed("metadata must be a JSON object")
    version = document.get("version", 1)
    if version not in (1, 2, 3):
        raise parse_failed(f"unsupported metadata version {version!r}")
    if version == 3:
        result = {k: v for k, v in document.items() if k != "sources"}
        result["version"] = 3
        result["sources"] = [_source(s) for s in document.get("sources", [])]
        return result
    source = model.default_source()
    source["tables"] = [_table(t) for t in document.get("tables", [])]
    if document.get("functions"):
        source["functions"] = [_function(f) for f in document["functions"]]
    result = {"version": 3, "sources": [source]}
    for name, value in document.items():
        if name not in (*_SOURCE_LEVEL, "version") and value not in (None, [], {}):
            result[name] = value
    return result


def _source(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise parse_failed("every source needs a name")
    result = dict(entry)
    result.setdefault("kind", "postgres")
    result["tables"] = [_table(t) for t in entry.get("tables", [])]
    if "functions" in entry:
        result["functions"] = [_function(f) for f in entry["functions"]]
    return result


def _table(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict) or "table" not in entry:
        raise parse_failed("every table entry needs a 'table'")
    result = dict(entry)
    result["table"] = model.qualified(entry["table"])
    configuration = result.get("configuration")
    if isinstance(configuration, dict):
        result["configuration"] = normalise_configuration(configuration)
    for cf in result.get("computed_fields", []):
        definition = cf.get("definition")
        if isinstance(definition, dict) and "function" in definition:
            definition["function"] = model.qualified(definition["function"], "function")
    return result


def _function(entry: Any) -> dict[str, Any]:
    if isinstance(entry, dict) and "function" in entry:
        result = dict(entry)
        result["function"] = model.qualified(entry["function"], "function")
        return result
    return {"function": model.qualified(entry, "function")}


def normalise_configuration(configuration: dict[str, Any]) -> dict[str, Any]:
    """Keep ``custom_column_names`` and ``column_config`` in step, as Hasura's export does."""
    result = dict(configuration)
    names = dict(result.get("custom_column_names") or {})
    column_config = {k: dict(v) for k, v in (result.get("column_config") or {}).items()}
    for column, custom in names.items():
        column_config.setdefault(column, {})["custom_name"] = custom
    for column, config in column_config.items():
        if "custom_name" in config:
            names[column] = config["custom_name"]
    if names or "custom_column_names" in result:
        result["custom_column_names"] = names
    if column_config or "column_config" in result:
        result["column_config"] = column_config
    return result
