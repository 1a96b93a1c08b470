"""An engine whose metadata the API tests change, and the blog tables they track."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from devstack.services.engine import EngineHandle


@pytest.fixture(scope="package")
def api(start_engine: Callable[..., EngineHandle],
        create_database: Callable[[str], str]) -> EngineHandle:
    """An engine of its own (the API tests change its metadata), shared by this package."""
    return start_engine(create_database("metaapi"))


@pytest.fixture
def blog(api: EngineHandle) -> Iterator[EngineHandle]:
    """Tables author/article created, tracked, related; everything dropped afterwards."""
    api.run_sql("""
        create table author (id serial primary key, name text unique);
        create table article (id serial primary key, title text,
                              author_id integer references author(id));
    """)
    response = api.query({"type": "bulk", "args": [
        {"type": "track_table", "args": {"schema": "public", "name": "author"}},
        {"type": "track_table", "args": {"schema": "public", "name": "article"}},
        {"type": "create_object_relationship", "args": {
            "table": "article", "name": "author",
            "using": {"foreign_key_constraint_on": "author_id"}}},
        {"type": "create_array_relationship", "args": {
            "table": "author", "name": "articles",
            "using": {"foreign_key_constraint_on": {"table": "article", "column": "author_id"}}}},
    ]})
    assert response.status_code == 200, response.text
    yield api
    api.query({"type": "clear_metadata", "args": {}})
    api.run_sql("drop table if exists article, author cascade")
