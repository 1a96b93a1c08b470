"""Metadata of any version brought to the v3 model, and consistency against a catalog."""

from __future__ import annotations

import pytest

from engine.metadata import consistency
from engine.metadata.convert import to_v3
from engine.metadata.dbcatalog import DbCatalog, ForeignKey
from engine.metadata.errors import MetadataError


def test_convert_v2_tables_move_under_the_default_source() -> None:
    """Convert v2 tables move under the default source.

    GIVEN v2 metadata with tables, functions, actions WHEN converted THEN tables and functions
    sit in the default source, other keys stay at the top, names are qualified.
    """
    v2 = {"version": 2, "tables": [{"table": "author", "configuration": {
        "custom_column_names": {"name": "fullName"}}}],
        "functions": [{"function": "search"}], "actions": [{"name": "login"}]}
    v3 = to_v3(v2)
    source = v3["sources"][0]
    assert v3["version"] == 3
    assert source["name"] == "default"
    assert source["tables"][0]["table"] == {"schema": "public", "name": "author"}
    assert source["tables"][0]["configuration"]["column_config"] == {
        "name": {"custom_name": "fullName"}}
    assert source["functions"] == [{"function": {"schema": "public", "name": "search"}}]
    assert v3["actions"] == [{"name": "login"}]


def test_convert_v3_keeps_its_sources() -> None:
    """Convert v3 keeps its sources.

    GIVEN v3 metadata WHEN converted THEN the same sources, names normalised.
    """
    v3 = to_v3({"version": 3, "sources": [{"name": "default", "kind": "postgres",
                                           "tables": [{"table": {"name": "t"}}]}]})
    assert v3["sources"][0]["tables"] == [{"table": {"schema": "public", "name": "t"}}]


@pytest.mark.parametrize("document", [[], {"version": 9}, {"version": 3, "sources": [{}]},
                                      {"version": 2, "tables": [{"nope": 1}]}])
def test_convert_rejects_what_is_not_metadata(document: object) -> None:
    """Convert rejects what is not metadata.

    GIVEN documents that are not metadata WHEN converted THEN parse-failed.
    """
    with pytest.raises(MetadataError) as caught:
        to_v3(document)
    assert caught.value.code == "parse-failed"


def test_consistency_finds_and_drops_what_does_not_resolve() -> None:
    """Consistency finds and drops what does not resolve.

    GIVEN metadata with a missing table, a relationship on a missing column and a permission on
    an unknown column WHEN checked against the catalog THEN three inconsistent objects, and
    dropping them leaves the rest.
    """
    catalog = DbCatalog(
        tables={("public", "author"): ["id", "name"], ("public", "article"): ["id", "author_id"]},
        foreign_keys=[ForeignKey(("public", "article"), ("public", "author"), "fk",
                                 ("author_id",), ("id",))],
    )
    metadata = to_v3({"version": 2, "tables": [
        {"table": "author", "select_permissions": [
            {"role": "user", "permission": {"columns": ["id", "salary"], "filter": {}}}]},
        {"table": "article", "object_relationships": [
            {"name": "author", "using": {"foreign_key_constraint_on": "author_id"}},
            {"name": "editor", "using": {"foreign_key_constraint_on": "editor_id"}}]},
        {"table": "ghost"},
    ]})
    found = consistency.check(metadata, catalog)
    assert sorted(item.type for item in found) == ["object_relation", "select_permission",
                                                   "table"]
    assert all(item.to_json()["reason"].startswith("Inconsistent object: ") for item in found)
    consistency.drop_all(metadata, found)
    assert consistency.check(metadata, catalog) == []
    tables = {t["table"]["name"]: t for t in metadata["sources"][0]["tables"]}
    assert set(tables) == {"author", "article"}
    assert [r["name"] for r in tables["article"]["object_relationships"]] == ["author"]
