from bench.chinook.workload import Case


def test_workload_cached_query_puts_the_directive_on_the_operation() -> None:
    """Workload cached query puts the directive on the operation.

    GIVEN the config's named queries, with and without variables WHEN the cached variant
    is made THEN ``@cached(ttl: 300)`` follows the operation's name and variables only.
    """
    simple = Case("simple_query", "query MyQuery {\n  Customer {\n    Email\n  }\n}\n", {}, ())
    assert simple.cached_query().startswith("query MyQuery @cached(ttl: 300) {\n  Customer")
    complex_query = Case("c", "query MyQuery($genre: String!, $lim: Int = 10) {\n"
                              "  Playlist(limit: $lim) { Name }\n}", {"genre": "Rock"}, ())
    assert complex_query.cached_query() == (
        "query MyQuery($genre: String!, $lim: Int = 10) @cached(ttl: 300) {\n"
        "  Playlist(limit: $lim) { Name }\n}")
    assert '"variables": {"genre": "Rock"}' in complex_query.cached_body()
