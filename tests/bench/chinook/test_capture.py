from bench.chinook.capture import parse_parameters, parse_statements

LOG = (
    "2026-11-21 23:59:01.123 UTC [4242] LOG:  execute __asyncpg_stmt_1__: SELECT coalesce(\n"
    "\tjson_agg(_s.j), '[]')::text FROM t WHERE a = ($1::text)::int4 AND b = $2\n"
    "2026-11-21 23:59:01.123 UTC [4243] LOG:  statement: BEGIN\n"
    "2026-11-21 23:59:01.124 UTC [4242] DETAIL:  parameters: $1 = '4', $2 = 'it''s, $3'\n"
    "2026-11-21 23:59:01.125 UTC [4243] LOG:  execute <unnamed>: select $1::int4, $2\n"
    "2026-11-21 23:59:01.125 UTC [4243] DETAIL:  parameters: $1 = NULL, $2 = 'x'\n"
    "2026-11-21 23:59:01.126 UTC [4244] LOG:  execute s1: SELECT t.typname FROM "
    "pg_catalog.pg_type t\n"
)


def test_capture_recovers_sql_and_parameters_per_backend() -> None:
    """Statements come back with their own parameters, per backend.

    GIVEN a statement log with interleaved backends, multi-line SQL and quoted parameters
    WHEN it is parsed
    THEN each execution comes back in order with its own parameters; driver catalog reads
    are dropped.
    """
    statements = parse_statements(LOG)
    assert [s.sql for s in statements] == [
        "SELECT coalesce(\njson_agg(_s.j), '[]')::text FROM t WHERE a = ($1::text)::int4 "
        "AND b = $2",
        "BEGIN",
        "select $1::int4, $2",
    ]
    assert statements[0].params == ("4", "it's, $3")
    assert statements[1].params == ()
    assert statements[2].params == (None, "x")


def test_capture_parameters_keep_their_order_and_nulls() -> None:
    """Parameters keep their numeric order.

    GIVEN a DETAIL line with ten parameters
    WHEN it is parsed
    THEN $10 comes after $9, not after $1.
    """
    detail = "parameters: " + ", ".join(f"${i} = '{i}'" for i in range(1, 11))
    assert parse_parameters(detail) == tuple(str(i) for i in range(1, 11))
