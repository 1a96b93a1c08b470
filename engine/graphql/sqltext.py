"""Small pieces of SQL text: JSON objects from (key, expression) pairs and string literals."""

from __future__ import annotations

_MAX_PAIRS = 50


def json_object(pairs: list[tuple[str, str]]) -> str:
    """``json_build_object`` over (key, expression) pairs (split past PostgreSQL's 100 args)."""
    if not pairs:
        return "json_build_object()"
    chunks = [pairs[i:i + _MAX_PAIRS] for i in range(0, len(pairs), _MAX_PAIRS)]
    built = ["json_build_object(" + ", ".join(
        f"{literal(k)}, {v}" for k, v in chunk) + ")" for chunk in chunks]
    if len(built) == 1:
        return built[0]
    return "(" + " || ".join(f"{b}::jsonb" for b in built) + ")::json"


def literal(text: str) -> str:
    """A SQL string literal for a name from the schema (names are GraphQL names: safe)."""
    return "'" + text.replace("'", "''") + "'"
