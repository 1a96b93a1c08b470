"""The SQL text the compiler emits for a few shapes, without a database.

The end-to-end tests run these statements; these pin the shapes that matter for speed and
safety: one statement per root field, permission filters and session variables bound as
parameters, JSON built by PostgreSQL.
"""

from __future__ import annotations

import dataclasses

import pytest

from engine.graphql import EngineOptions, GraphQLEngine
from engine.graphql.errors import GraphQLFieldError
from engine.graphql.params import Params, bind
from engine.graphql.planner import compile_operation
from engine.graphql.resolve import build_model
from engine.graphql.roots import SqlRoot
from engine.session import Session
from tests.engine.graphql.blog_catalog import blog_catalog, blog_engine_offline
from tests.engine.graphql.conftest import blog_metadata

USER = Session("user", {"x-hasura-role": "user", "x-hasura-user-id": "1"})
ADMIN = Session("admin", {"x-hasura-role": "admin"}, True)


def _root(query: str, session: Session = USER, variables: dict[str, object] | None = None,
          ) -> SqlRoot:
    engine = blog_engine_offline()
    payload: dict[str, object] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    root = engine.prepare(payload, session, {}).plan.roots[0]
    assert isinstance(root, SqlRoot)
    return root


def test_compiler_select_is_one_statement_with_the_permission_filter_bound() -> None:
    """GIVEN the user role's filter on articles.

    WHEN a list is selected
    THEN one statement aggregates JSON text, and the user id is a session parameter; each
    row leaves its object's constant start and end to the aggregate's delimiter.
    """
    root = _root("{ article { id title } }")
    assert root.sql == (
        "SELECT coalesce('[{\"id\":' || string_agg(_s.j, '},{\"id\":') || '}]', '[]') FROM ("
        "SELECT (coalesce((_1.\"id\")::text, 'null') || "
        "',\"title\":' || coalesce(to_json(_1.\"title\")::text, 'null')) AS j "
        "FROM \"public\".\"article\" _1  WHERE (_1.\"is_published\" = ($1::text)::bool OR "
        "_1.\"author_id\" = $2::int4)) _s")
    assert [(s.kind, s.value) for s in root.sources] == [
        ("const", "true"), ("session", "x-hasura-user-id")]


def test_compiler_where_variable_stays_a_parameter() -> None:
    """GIVEN a variable in ``where`` WHEN compiled THEN its value is never in the SQL text."""
    root = _root("query($t: String) { article(where: {title: {_eq: $t}}) { id } }",
                 ADMIN, {"t": "x' OR 1=1 --"})
    assert "OR 1=1" not in root.sql
    assert '_1."title" = ($1::text)::text' in root.sql
    assert [(s.kind, s.value) for s in root.sources] == [("var", "t")]


def test_compiler_object_relationship_on_a_key_is_a_left_join() -> None:
    """GIVEN article.author through a foreign key.

    WHEN selected
    THEN a LEFT JOIN (one row guaranteed), not a correlated subquery.
    """
    root = _root("{ article { author { name } } }", ADMIN)
    assert 'LEFT JOIN "public"."author" _2 ON _2."id" = _1."author_id"' in root.sql
    assert "LIMIT 1" not in root.sql


def test_compiler_array_relationship_is_a_correlated_subquery() -> None:
    """GIVEN author.articles WHEN selected THEN a subquery aggregating the rows' JSON."""
    root = _root("{ author { articles(limit: 2) { id } } }", ADMIN)
    assert 'FROM "public"."article" _2  WHERE _2."author_id" = _1."id" LIMIT 2' in root.sql


def test_compiler_by_pk_binds_the_key_with_the_column_type() -> None:
    """GIVEN ``article_by_pk`` WHEN compiled THEN the key is cast to the column's type."""
    root = _root("{ article_by_pk(id: 3) { id } }", ADMIN)
    assert root.sql.endswith('WHERE _1."id" = ($1::text)::int4')
    assert root.sources[0].value == "3"


def test_compiler_integer_comparisons_bind_integers() -> None:
    """GIVEN an integer column compared with a literal, a variable and a session variable.

    WHEN compiled
    THEN each is an integer parameter (``$n::int4``, no text cast per row), converted from
    its text as PostgreSQL reads it (spaces, sign); text and boolean comparisons keep the
    text cast.
    """
    root = _root("query($a: Int) { article(where: {_or: [{author_id: {_eq: 2}}, "
                 "{id: {_gt: $a}}, {title: {_eq: \"t\"}}]}) { id } }", USER, {"a": 5})
    assert '_1."is_published" = ($1::text)::bool' in root.sql
    assert '_1."author_id" = $2::int4' in root.sql
    assert '_1."author_id" = $3::int4' in root.sql
    assert '_1."id" > $4::int4' in root.sql
    assert '_1."title" = ($5::text)::text' in root.sql
    args = bind(root.sources, {"a": 5}, {"x-hasura-user-id": " +7 "})
    assert args == ["true", 7, 2, 5, "t"]


def test_compiler_role_limit_caps_the_requested_limit() -> None:
    """GIVEN anonymous may read one article WHEN it asks for ten THEN LIMIT 1."""
    anonymous = Session("anonymous", {"x-hasura-role": "anonymous"})
    root = _root("{ article(limit: 10) { id } }", anonymous)
    assert root.sql.endswith("LIMIT 1) _s")


def test_compiler_hidden_column_is_refused_before_any_sql() -> None:
    """GIVEN a column the role cannot select WHEN requested THEN a validation error."""
    engine = blog_engine_offline()
    anonymous = Session("anonymous", {"x-hasura-role": "anonymous"})
    with pytest.raises(GraphQLFieldError) as caught:
        engine.prepare({"query": "{ article { content } }"}, anonymous, {})
    assert caught.value.code == "validation-failed"


class _Recording(Params):
    """A parameter builder that records what the compiler asked it for."""

    def __init__(self) -> None:
        super().__init__()
        self.built = True


def test_compile_operation_uses_the_parameter_builder_it_is_given() -> None:
    """GIVEN a builder factory.

    WHEN an operation is compiled
    THEN each root field's parameters go to a builder from that factory.
    """
    engine = blog_engine_offline()
    prepared = engine.prepare({"query": "{ a: article { id } b: author { id } }"}, USER, {})
    made: list[_Recording] = []

    def factory() -> Params:
        made.append(_Recording())
        return made[-1]

    plan, _ = compile_operation(engine.model, engine.options, prepared.state,
                                prepared.document, prepared.operation, {}, factory)
    assert len(made) == 2
    roots = [r for r in plan.roots if isinstance(r, SqlRoot)]
    assert [r.sources for r in roots] == [made[0].sources, made[1].sources]
    assert made[0].sources[-1].kind == "session"


def _engine_with_author_key(*, enforced: bool, nullable: bool = False,
                            row_security: bool = False) -> GraphQLEngine:
    """The blog engine, its article → author key and author table changed as given."""
    catalog = blog_catalog()
    article = catalog.tables[("public", "article")]
    article.foreign_keys = [dataclasses.replace(fk, enforced=enforced)
                            for fk in article.foreign_keys]
    article.columns["author_id"] = dataclasses.replace(article.columns["author_id"],
                                                       nullable=nullable)
    catalog.tables[("public", "author")].row_security = row_security
    model = build_model(catalog, blog_metadata())
    return GraphQLEngine(None, model, blog_metadata(),  # type: ignore[arg-type]
                         EngineOptions(), [])


def _sql(engine: GraphQLEngine, query: str) -> str:
    root = engine.prepare({"query": query}, ADMIN, {}).plan.roots[0]
    assert isinstance(root, SqlRoot)
    return root.sql


def test_compiler_object_relationship_on_an_enforced_key_skips_the_null_test() -> None:
    """GIVEN article.author through a validated, immediate key on a NOT NULL column.

    WHEN a query selects it
    THEN the author's JSON is built without testing that the join found a row; a mutation's
    returning rows (whose snapshot may not show the author) still test it.
    """
    engine = _engine_with_author_key(enforced=True)
    query = _sql(engine, "{ article { author { name } } }")
    assert 'LEFT JOIN "public"."author" _2 ON _2."id" = _1."author_id"' in query
    assert "CASE WHEN" not in query
    mutation = _sql(engine, 'mutation { insert_article_one(object: {title: "t", author_id: 1})'
                            " { author { name } } }")
    assert "CASE WHEN" in mutation


@pytest.mark.parametrize("change", [
    {"enforced": False},  # NOT VALID or deferrable
    {"enforced": True, "nullable": True},
    {"enforced": True, "row_security": True},
])
def test_compiler_object_relationship_keeps_the_null_test_without_the_guarantee(
        change: dict[str, bool]) -> None:
    """GIVEN a key that does not guarantee a visible author row WHEN selected THEN CASE stays."""
    sql = _sql(_engine_with_author_key(**change), "{ article { author { name } } }")
    assert "CASE WHEN _2.\"id\" IS NULL THEN 'null'" in sql


def test_compiler_object_relationship_with_a_filter_keeps_the_null_test() -> None:
    """GIVEN an enforced key, and a filter of the user role's on authors.

    WHEN that role selects article.author THEN the null test stays (the filter may hide it).
    """
    metadata = blog_metadata()
    author = next(t for t in metadata["sources"][0]["tables"]
                  if t["table"]["name"] == "author")
    user = next(p for p in author["select_permissions"] if p["role"] == "user")
    user["permission"]["filter"] = {"id": {"_eq": "X-Hasura-User-Id"}}
    engine = _engine_with_author_key(enforced=True)
    engine = GraphQLEngine(None, build_model(engine.model.catalog, metadata),  # type: ignore[arg-type]
                           metadata, EngineOptions(), [])
    root = engine.prepare({"query": "{ article { author { name } } }"}, USER, {}).plan.roots[0]
    assert isinstance(root, SqlRoot)
    assert "CASE WHEN _2.\"id\" IS NULL THEN 'null'" in root.sql


def test_compiler_integers_and_booleans_are_cast_not_converted() -> None:
    """GIVEN int4, int8 and bool columns, an aggregate count and a text column.

    WHEN selected (numbers not stringified)
    THEN integers and booleans are cast to text, whose output is their JSON; text still goes
    through ``to_json`` (it needs quoting and escaping).
    """
    root = _root("{ article { id views is_published title }"
                 " article_aggregate { aggregate { count } } }", ADMIN)
    assert "coalesce((_1.\"id\")::text, 'null')" in root.sql
    assert "coalesce((_1.\"views\")::text, 'null')" in root.sql
    assert "coalesce((_1.\"is_published\")::text, 'null')" in root.sql
    assert "coalesce(to_json(_1.\"title\")::text, 'null')" in root.sql
    aggregate = _root("{ article_aggregate { aggregate { count } } }", ADMIN)
    assert "(count(*))::text" in aggregate.sql
    assert "to_json" not in aggregate.sql


def test_compiler_stringified_bigint_stays_a_json_string() -> None:
    """GIVEN stringify_numeric_types WHEN a bigint column is selected THEN a quoted string."""
    engine = blog_engine_offline()
    engine = GraphQLEngine(None, engine.model, blog_metadata(),  # type: ignore[arg-type]
                           EngineOptions(stringify_numeric_types=True), [])
    root = engine.prepare({"query": "{ article { id views } }"}, ADMIN, {}).plan.roots[0]
    assert isinstance(root, SqlRoot)
    assert "coalesce(to_json((_1.\"views\")::text)::text, 'null')" in root.sql
    assert "coalesce((_1.\"id\")::text, 'null')" in root.sql


def test_compiler_nested_objects_are_one_concatenation() -> None:
    """GIVEN article.author through an enforced key (no null test).

    WHEN selected with columns around it
    THEN the author's object is spliced into the article's chain, not a chain of its own.
    """
    sql = _sql(_engine_with_author_key(enforced=True),
               "{ article { id author { id name } title } }")
    assert """',"author":{"id":' || coalesce((_2."id")::text, 'null')""" in sql
    assert """|| '},"title":' ||""" in sql
    assert "|| ('{" not in sql


def test_compiler_guarded_object_keeps_its_own_concatenation() -> None:
    """GIVEN a nullable key WHEN article.author is selected THEN the CASE holds its object."""
    sql = _sql(_engine_with_author_key(enforced=True, nullable=True),
               "{ article { author { name } } }")
    assert """ELSE ('{"name":' || coalesce(to_json(_2."name")::text, 'null') || '}') END""" in sql
