"""The blog schema of ``conftest.BLOG_SQL`` as an in-memory catalog (no PostgreSQL)."""

from __future__ import annotations

from engine.catalog import Catalog, Column, ForeignKey, Table
from engine.graphql import EngineOptions, GraphQLEngine
from engine.graphql.resolve import build_model
from tests.engine.graphql.conftest import blog_metadata


def _column(name: str, type_: str, nullable: bool = True, default: bool = False,
            position: int = 0) -> Column:
    return Column(name, type_, type_, nullable, default, position=position)


def blog_catalog() -> Catalog:
    """``author`` and ``article`` with their keys, as introspection would find them."""
    author = Table("public", "author", "r", primary_key=("id",), primary_key_name="author_pkey",
                   unique={"author_pkey": ("id",), "author_name_key": ("name",)})
    for i, (name, type_, nullable, default) in enumerate([
            ("id", "int4", False, True), ("name", "text", False, False),
            ("bio", "text", True, False), ("secret", "text", True, False),
            ("created_at", "timestamptz", True, True)]):
        author.columns[name] = _column(name, type_, nullable, default, i + 1)
    article = Table("public", "article", "r", primary_key=("id",),
                    primary_key_name="article_pkey", unique={"article_pkey": ("id",)},
                    foreign_keys=[ForeignKey("article_author_id_fkey", ("author_id",), "public",
                                             "author", ("id",))])
    for i, (name, type_, nullable, default) in enumerate([
            ("id", "int4", False, True), ("title", "text", False, False),
            ("content", "text", True, False), ("author_id", "int4", False, False),
            ("is_published", "bool", True, True), ("views", "int8", True, True),
            ("rating", "numeric", True, False), ("tags", "jsonb", True, False)]):
        article.columns[name] = _column(name, type_, nullable, default, i + 1)
    return Catalog(tables={("public", "author"): author, ("public", "article"): article})


def blog_engine_offline() -> GraphQLEngine:
    """An engine over the in-memory blog catalog, with no database behind it.

    It prepares (parses, validates, compiles) but cannot run anything.
    """
    model = build_model(blog_catalog(), blog_metadata())
    assert not model.inconsistencies, model.inconsistencies
    return GraphQLEngine(None, model, blog_metadata(),  # type: ignore[arg-type]
                         EngineOptions(), [])
