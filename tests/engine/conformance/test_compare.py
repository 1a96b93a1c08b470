"""Comparing responses: key order, numbers and message-only differences."""

from __future__ import annotations

from engine.conformance.compare import Outcome, compare, diff


def test_compare_ignores_key_order_and_number_spelling() -> None:
    """GIVEN the same JSON with keys reordered and 2 written as 2.0.

    WHEN compared
    THEN it passes.
    """
    assert compare({"data": {"a": 1, "b": [2]}}, {"data": {"b": [2.0], "a": 1}}) is Outcome.PASSED


def test_compare_counts_message_only_differences_apart() -> None:
    """GIVEN two errors differing only in their message.

    WHEN compared
    THEN the outcome is its own category; a different code is a failure.
    """
    expected = {"errors": [{"message": "a", "extensions": {"code": "x", "path": "$"}}]}
    same_code = {"errors": [{"message": "b", "extensions": {"code": "x", "path": "$"}}]}
    other_code = {"errors": [{"message": "a", "extensions": {"code": "y", "path": "$"}}]}
    assert compare(expected, same_code) is Outcome.MESSAGE_ONLY
    assert compare(expected, other_code) is Outcome.FAILED
    assert diff(expected, other_code) == ["$.errors[0].extensions.code: expected 'x', got 'y'"]
