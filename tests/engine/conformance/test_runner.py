"""The runner's reading of a case: allowed responses, fixture routing, tokens, engine env."""

from __future__ import annotations

from pathlib import Path

from joserfc import jwt
from joserfc.jwk import OctKey

from engine.conformance.cases import Request
from engine.conformance.cases import TestClass as CaseClass
from engine.conformance.compare import Outcome
from engine.conformance.fixtures import ClassState
from engine.conformance.runner import best_match, session_token


def _req(**kw: object) -> Request:
    base: dict[str, object] = {"url": "/v1/graphql", "status": 200, "headers": {},
                               "query": {}, "response": None}
    base.update(kw)
    return Request(**base)  # type: ignore[arg-type]


def test_best_match_accepts_any_allowed_response() -> None:
    """GIVEN a case with two allowed responses.

    WHEN the body equals the second, or neither
    THEN it passes, or fails against one of them (never passes on the missing ``response``).
    """
    req = _req(allowed=({"data": {"a": 1}}, {"data": {"a": 2}}))
    assert best_match(req, {"data": {"a": 2}}) == ({"data": {"a": 2}}, Outcome.PASSED)
    assert best_match(req, {"data": {"a": 3}})[1] is Outcome.FAILED


def test_class_state_routes_v2_files_to_query_and_metadata(tmp_path: Path) -> None:
    """GIVEN a v2 per-class query class and a v1 per-method class.

    WHEN their steps are listed
    THEN v2 sends schema files to /v2/query and setup to /v1/metadata; v1 sends all to
    /v1/query, around each case for per-method fixtures.
    """
    v2 = ClassState(CaseClass("A", tmp_path, ("per_class_tests_db_state",),
                              attrs={"setup_metadata_api_version": "v2"}))
    setup, teardown = v2.class_steps()
    assert [(s.path.name, s.url) for s in setup] == [("schema_setup.yaml", "/v2/query"),
                                                    ("setup.yaml", "/v1/metadata")]
    assert [s.url for s in teardown] == ["/v1/metadata", "/v2/query"]
    per_method = ClassState(CaseClass("B", tmp_path, ("per_method_tests_db_state",)))
    assert per_method.class_steps() == ([], [])
    assert [(s.path.name, s.url) for s in per_method.case_steps()[0]] == [
        ("setup.yaml", "/v1/query")]


def test_session_token_carries_the_headers_as_claims() -> None:
    """GIVEN a request's role and session headers.

    WHEN turned into a token
    THEN it verifies with the key and carries the role as default and only allowed role.
    """
    key = "k" * 64
    token = session_token(key, {"X-Hasura-Role": "editor", "X-Hasura-User-Id": "7",
                                "X-Hasura-Use-Backend-Only-Permissions": "true"})
    claims = jwt.decode(token, OctKey.import_key(key.encode())).claims
    hasura = claims["https://hasura.io/jwt/claims"]
    assert hasura == {"x-hasura-user-id": "7", "x-hasura-allowed-roles": ["editor"],
                      "x-hasura-default-role": "editor"}


def test_class_engine_env_reads_hge_env_marks(tmp_path: Path) -> None:
    """GIVEN a class decorated with ``hge_env``.

    WHEN its engine environment is read
    THEN the variable and value come out.
    """
    tc = CaseClass("C", tmp_path, (), decorators=(
        "pytest.mark.hge_env('HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS', 'false')",))
    assert tc.engine_env == {"HASURA_GRAPHQL_INFER_FUNCTION_PERMISSIONS": "false"}
