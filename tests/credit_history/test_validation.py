"""The service's validation shortcut keeps every rule that can find something."""

from __future__ import annotations

import asyncio
from typing import Any

from credit_history.schema import schema


def _errors(query: str, variables: dict[str, Any] | None = None) -> list[str]:
    result = asyncio.run(schema.execute(query, variable_values=variables,
                                        context_value={"repository": None}))
    return [e.message for e in result.errors or ()]


def test_validation_still_refuses_bad_queries_with_and_without_variables() -> None:
    """Validation still refuses bad queries with and without variables.

    GIVEN a query without variables naming an unknown field THEN it is refused;
    GIVEN a query using an undefined variable, or defining an unused one THEN the variable
    rules still refuse it (they are only left out of texts without any ``$``).
    """
    assert any("nope" in m for m in _errors('{ f0: credit_history(national_id: "1") { nope } }'))
    assert any("$id" in m for m in _errors(
        "{ credit_history(national_id: $id) { national_id } }"))
    assert any("$unused" in m for m in _errors(
        'query ($unused: String) { credit_history(national_id: "1") { nope } }'))
