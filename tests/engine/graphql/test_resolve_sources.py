"""The model gathers tracked functions from every source of the metadata."""

from __future__ import annotations

from engine.catalog.model import Catalog, Column, Function, Table
from engine.graphql.resolve import build_model


def _function(name: str) -> Function:
    return Function("public", name, True, "public", "item", True, ())


def test_build_model_keeps_functions_of_every_source() -> None:
    """GIVEN two sources, each tracking one function returning rows of a tracked table.

    WHEN the model is built THEN both functions are in it (one source does not replace the
    other's).
    """
    item = Table("public", "item", "r", {"id": Column("id", "int4", "int4", False, True)},
                 primary_key=("id",))
    catalog = Catalog(tables={("public", "item"): item},
                      functions={("public", "f1"): _function("f1"),
                                 ("public", "f2"): _function("f2")})
    metadata = {"version": 3, "sources": [
        {"name": "default", "kind": "postgres", "tables": [{"table": "item"}],
         "functions": [{"function": "f1"}]},
        {"name": "other", "kind": "postgres", "tables": [],
         "functions": [{"function": "f2"}]},
    ]}
    model = build_model(catalog, metadata)
    assert set(model.functions) == {("public", "f1"), ("public", "f2")}
    assert not model.inconsistencies
