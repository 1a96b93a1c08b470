"""Cutting run_sql text into statements (for ``no_transaction``)."""

from __future__ import annotations

from engine.metadata.ops.run_sql import split_statements


def test_split_statements_keeps_quoted_and_dollar_quoted_semicolons() -> None:
    """GIVEN SQL with semicolons in a string, a function body, an identifier and comments.

    WHEN split THEN only the statement-ending semicolons cut, and a comment-only tail is dropped.
    """
    sql = ("CREATE TABLE a (x text DEFAULT 'a;b');\n"
           "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
           "SELECT \"a;b\" FROM a; /* done; */ -- end;\n")
    parts = [p.strip() for p in split_statements(sql)]
    assert parts == ["CREATE TABLE a (x text DEFAULT 'a;b')",
                     "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                     'SELECT "a;b" FROM a']
