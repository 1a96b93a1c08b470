"""Compare a response with the recorded one: equal, message-only difference, or different."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """How a case ended."""

    PASSED = "passed"
    MESSAGE_ONLY = "passed-with-message-difference"
    FAILED = "failed"
    SKIPPED = "skipped"


def _strip_messages(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("errors"), list):
        errors = [{k: v for k, v in e.items() if k != "message"} if isinstance(e, dict) else e
                  for e in value["errors"]]
        return {**value, "errors": errors}
    return value


def normalise(value: Any) -> Any:
    """Numbers compared by value (1 == 1.0), everything else as is; key order never matters."""
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def compare(expected: Any, actual: Any) -> Outcome:
    """The outcome for one response body."""
    if expected is None:
        return Outcome.PASSED  # the case only fixes the status code
    exp, act = normalise(expected), normalise(actual)
    if exp == act:
        return Outcome.PASSED
    if (isinstance(exp, dict) and "errors" in exp and isinstance(act, dict) and "errors" in act
            and _strip_messages(exp) == _strip_messages(act)):
        return Outcome.MESSAGE_ONLY
    return Outcome.FAILED


def diff(expected: Any, actual: Any, path: str = "$", limit: int = 6) -> list[str]:
    """A few lines saying where two JSON values differ."""
    out: list[str] = []

    def walk(e: Any, a: Any, p: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(e, dict) and isinstance(a, dict):
            for k in e.keys() | a.keys():
                if k not in a:
                    out.append(f"{p}.{k}: missing (expected {_short(e[k])})")
                elif k not in e:
                    out.append(f"{p}.{k}: unexpected {_short(a[k])}")
                else:
                    walk(e[k], a[k], f"{p}.{k}")
            return
        if isinstance(e, list) and isinstance(a, list):
            if len(e) != len(a):
                out.append(f"{p}: expected {len(e)} items, got {len(a)}")
            for i, (x, y) in enumerate(zip(e, a, strict=False)):
                walk(x, y, f"{p}[{i}]")
            return
        if normalise(e) != normalise(a):
            out.append(f"{p}: expected {_short(e)}, got {_short(a)}")

    walk(expected, actual, path)
    return out


def _short(value: Any, width: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width] + "..."
