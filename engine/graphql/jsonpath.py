"""The ``path`` argument of json/jsonb fields (``$.a.b[0]``, ``objs[0]['key']``) as keys."""

from __future__ import annotations

from engine.graphql.errors import validation


def parse_path(text: str, where: str = "$") -> list[str]:
    """The path's keys and indexes, for ``#>``; raises a validation error when malformed."""
    keys: list[str] = []
    i, n = 0, len(text)
    if text.startswith("$"):
        i = 1
    expect_key = i == 0
    while i < n:
        ch = text[i]
        if ch == ".":
            i += 1
            expect_key = True
            continue
        if ch == "[":
            close_quote = text[i + 1] if i + 1 < n else ""
            if close_quote in ("'", '"'):
                end = text.find(close_quote + "]", i + 2)
                if end < 0:
                    raise validation(f"parse json path error: {text}", where)
                keys.append(text[i + 2:end])
                i = end + 2
            else:
                end = text.find("]", i)
                if end < 0 or not text[i + 1:end].strip().isdigit():
                    raise validation(f"parse json path error: {text}", where)
                keys.append(text[i + 1:end].strip())
                i = end + 1
            expect_key = False
            continue
        if not expect_key:
            raise validation(f"parse json path error: {text}", where)
        start = i
        while i < n and text[i] not in ".[":
            i += 1
        keys.append(text[start:i])
        expect_key = False
    return keys
