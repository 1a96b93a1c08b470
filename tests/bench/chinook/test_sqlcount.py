"""The instruction-count bench's reading of a results file and its table (no valgrind)."""

from __future__ import annotations

from bench.chinook.sqlcount import _same, statements, table


def _report() -> dict[str, object]:
    def captured(sql: str) -> dict[str, object]:
        return {"statements": [{"sql": sql, "params": ["4"]}]}

    return {"checks": {
        "simple_query": {"engine": captured("SELECT 1"), "postgraphile": captured("SELECT 2")},
        "complex_query_large_result": {"engine": captured("SELECT 3"),
                                       "postgraphile": {"statements": []}},
        "full_introspection": {"engine": {"statements": []}},
    }}


def test_sqlcount_statements_pairs_each_case_with_its_shapes() -> None:
    """GIVEN captured statements WHEN read THEN each case's shapes.

    The large result's variants from ``sql/`` are bound to the engine's parameters; a case
    without SQL is left out.
    """
    found = statements(_report())
    assert list(found) == ["simple_query", "complex_query_large_result"]
    assert {name: s.sql for name, s in found["simple_query"].items()} == {
        "engine": "SELECT 1", "postgraphile": "SELECT 2"}
    large = found["complex_query_large_result"]
    assert next(iter(large)) == "engine"
    assert {"concat", "row_to_json"} <= set(large)
    assert all(s.params == ("4",) for s in large.values())


def test_sqlcount_table_compares_with_the_engine_and_says_how_answers_match() -> None:
    """GIVEN counts WHEN tabulated THEN each shape's difference from the engine's statement."""
    assert _same([('{"a":1}',)], [('{"a":1}',)]) == "same"
    assert _same([('{"a" : 1}',)], [('{"a":1}',)]) == "same JSON"
    assert _same([('{"a":2}',)], [('{"a":1}',)]) == "differs"
    text = table({"cases": {"simple_query": {
        "engine": {"instructions_per_execution": 200_000.0,
                   "same_answer_as_engine": "same"},
        "postgraphile": {"instructions_per_execution": 150_000.0,
                         "same_answer_as_engine": None}}}})
    assert "200.0" in text
    assert "-25.0%" in text


def test_sqlcount_baseline_adds_the_older_engine_statement() -> None:
    """GIVEN an older results file WHEN read with it THEN its engine SQL is the ``baseline``."""
    older = {"checks": {"simple_query": {"engine": {
        "statements": [{"sql": "SELECT 0", "params": ["4"]}]}}}}
    found = statements(_report(), older)
    assert list(found["simple_query"]) == ["engine", "baseline", "postgraphile"]
    assert found["simple_query"]["baseline"].sql == "SELECT 0"
    assert "baseline" not in found["complex_query_large_result"]
