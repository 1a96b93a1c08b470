"""The SQL the service runs: one text for Athena and DuckDB, values always bound.

Both engines take ``?`` positional parameters (Athena as ``ExecutionParameters``), and both
read the table ``credit_reports`` (a Glue table over the S3 prefix in AWS, a DuckDB view over
the same Parquet files locally).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from credit_history.errors import InvalidNationalIdError

COLUMNS = ("national_id", "report_date", "bureau", "score", "open_accounts", "total_debt",
           "delinquencies")
MAX_IDS = 500
"""Most national ids one query may ask for (a larger batch is split)."""
_NATIONAL_ID = re.compile(r"^[0-9A-Za-z-]{1,32}$")


def check_national_ids(national_ids: Sequence[str]) -> list[str]:
    """The distinct ids, in first-seen order.

    Raises:
        InvalidNationalIdError: an id is not 1-32 letters, digits or dashes.
    """
    out: dict[str, None] = {}
    for value in national_ids:
        if not isinstance(value, str) or not _NATIONAL_ID.match(value):
            raise InvalidNationalIdError(f"invalid national id: {str(value)[:40]!r}")
        out[value] = None
    return list(out)


def reports_sql(count: int) -> str:
    """The statement reading the reports of ``count`` national ids (newest first per id)."""
    if not 1 <= count <= MAX_IDS:
        raise ValueError(f"between 1 and {MAX_IDS} national ids per query, not {count}")
    marks = ", ".join("?" for _ in range(count))
    # Only "?" placeholders and fixed column names are spliced in: every value is bound.
    select = f"SELECT {', '.join(COLUMNS)} FROM credit_reports "  # noqa: S608
    return (f"{select}WHERE national_id IN ({marks}) "
            "ORDER BY national_id, report_date DESC, bureau")


def batches(values: Sequence[str], size: int = MAX_IDS) -> list[Sequence[str]]:
    """``values`` cut into runs of at most ``size``."""
    return [values[i:i + size] for i in range(0, len(values), size)]
