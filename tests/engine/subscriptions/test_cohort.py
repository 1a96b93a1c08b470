"""Cohort parameters and the batch statement's SQL, without a database."""

from __future__ import annotations

import pytest

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.params import Source, to_text, to_text_list
from engine.graphql.planner import compile_operation
from engine.session import Session
from engine.subscriptions.cohort import (
    CohortParams,
    batch_statement,
    cohort_key,
    cohort_values,
)
from tests.engine.graphql.blog_catalog import blog_engine_offline

USER = Session("user", {"x-hasura-role": "user", "x-hasura-user-id": "1"})


def test_cohort_params_constants_stay_shared_and_the_rest_reads_the_cohort_row() -> None:
    """Constants are ``$4..``; variables and session variables refer to the cohort's values.

    GIVEN a cohort builder WHEN a constant, a variable and a session variable are added
    THEN ``$4`` (after the three batch arrays), then ``"_subs".v->>0`` and ``->>1``.
    """
    from engine.graphql.values import VarRef

    params = CohortParams()
    assert params.add(True) == "$4"
    assert params.add(VarRef("id", 1)) == '("_subs".v->>0)'
    assert params.session("X-Hasura-User-Id") == '("_subs".v->>1)'
    assert [s.kind for s in params.per_cohort] == ["var", "session"]
    assert [s.value for s in params.sources] == ["true"]


def test_cohort_values_bind_each_source_as_text() -> None:
    """A cohort's values are what its sources bind to, lists as array literals.

    GIVEN a variable list, a session variable and a cursor WHEN bound THEN texts.
    """
    sources = [Source("var", "ids", to_text_list), Source("session", "x-hasura-user-id"),
               Source("cursor", Source("var", "from", to_text), to_text)]
    values = cohort_values(sources, {"ids": [1, 2], "from": 5}, {"x-hasura-user-id": "u"})
    assert values == ['{"1","2"}', "u", "5"]
    assert cohort_key(values) == '["{\\"1\\",\\"2\\"}","u","5"]'


def test_cohort_values_missing_session_variable_is_refused() -> None:
    """GIVEN a permission on the user id WHEN the session lacks it THEN not-found."""
    with pytest.raises(GraphQLFieldError) as caught:
        cohort_values([Source("session", "x-hasura-user-id")], {}, {})
    assert caught.value.code == "not-found"


def _batch(query: str, variables: dict[str, object] | None = None) -> tuple[str, CohortParams]:
    engine = blog_engine_offline()
    prepared = engine.prepare({"query": query, "variables": variables or {}}, USER, {})
    assert prepared.plan.operation == "subscription"
    params = CohortParams()
    plan, _ = compile_operation(engine.model, engine.options, prepared.state,
                                prepared.document, prepared.operation, prepared.variables,
                                lambda: params)
    return batch_statement(plan, params).sql, params


def test_batch_statement_joins_the_query_lateral_to_the_unnested_cohorts() -> None:
    """A live query for a batch: unnest the cohorts, join the query LATERAL, hash the body.

    GIVEN a live query on articles (filtered by the user id)
    WHEN wrapped for a batch THEN one statement reading the user id from each cohort row.
    """
    sql, params = _batch("subscription { article { id } }")
    assert sql.startswith('SELECT "_subs".id, CASE WHEN _r.h IS NOT DISTINCT FROM '
                          '"_subs".prev THEN NULL ELSE _r.body END, _r.h, NULL::text '
                          'FROM unnest($1::int4[], $2::json[], $3::text[]) AS '
                          '"_subs"(id, v, prev) LEFT JOIN LATERAL (SELECT _b.body, '
                          'md5(_b.body) AS h FROM (SELECT (\'{"data":{"article":\' || ')
    assert '_1."author_id" = (("_subs".v->>0)::text)::int4' in sql
    assert [(s.kind, s.value) for s in params.per_cohort] == [("session", "x-hasura-user-id")]


def test_batch_statement_of_a_stream_returns_the_next_cursor() -> None:
    """A stream for a batch: the rows past each cohort's cursor and the last row's cursor.

    GIVEN article_stream from a variable id WHEN wrapped THEN the cursor is a cohort value.
    """
    sql, params = _batch("subscription($c: Int!) { article_stream(batch_size: 3, cursor: "
                         "{initial_value: {id: $c}}) { id } }", {"c": 1})
    assert params.cursor_slot is not None
    assert params.per_cohort[params.cursor_slot].kind == "cursor"
    cursor_ref = f'("_subs".v->>{params.cursor_slot})'
    assert f'_1."id" > ({cursor_ref}::text)::int4' in sql
    assert 'ORDER BY _1."id" ASC LIMIT 3' in sql
    assert "(array_agg(_s.c))[count(*)::int]" in sql
    assert sql.endswith("AS _r(j, c) ON true")
