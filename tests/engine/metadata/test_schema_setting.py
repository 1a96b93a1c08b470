"""Hasura's JSON schema as an extra check, only where ENGINE_METADATA_SCHEMA_PATH names it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devstack.services.engine import EngineHandle
from tests import reference


def _broken(export: dict[str, Any]) -> dict[str, Any]:
    """Metadata Hasura's schema refuses but the typed model accepts.

    A query collection without its definition (the typed model does not type collections).
    The empty source is exported as is: Hasura's schema finds it valid as two kinds of source
    at once, an ambiguity of the schema the check ignores.
    """
    return {**export, "query_collections": [{"name": "no_definition"}]}


@reference.needs(*reference.METADATA_SCHEMA)
def test_replace_metadata_uses_hasuras_schema_where_the_setting_names_it(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
) -> None:
    """Replace metadata uses Hasura's schema where the setting names it.

    GIVEN an engine with ENGINE_METADATA_SCHEMA_PATH set and one without WHEN both get
    metadata that breaks Hasura's schema but not the typed model THEN the first refuses it
    with parse-failed pointing at the collection; the second accepts it.
    """
    schema = str(reference.path(*reference.METADATA_SCHEMA))
    checked = start_engine(create_database("schemaon"),
                           extra_env={"ENGINE_METADATA_SCHEMA_PATH": schema})
    unchecked = start_engine(create_database("schemaoff"))

    refused = checked.metadata({"type": "replace_metadata", "args": _broken(
        checked.metadata({"type": "export_metadata", "args": {}}).json())})
    accepted = unchecked.metadata({"type": "replace_metadata", "args": _broken(
        unchecked.metadata({"type": "export_metadata", "args": {}}).json())})

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "parse-failed"
    assert refused.json()["path"].startswith("$.args.query_collections[0]"), refused.text
    assert accepted.status_code == 200, accepted.text
