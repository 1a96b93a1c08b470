"""The engine process with JWT auth from a JWKS URL, as the stack configures it for Cognito."""

from __future__ import annotations

from collections.abc import Callable

from devstack.services.engine import EngineHandle
from tests.engine.auth.jwks_server import JwksServer
from tests.engine.auth.keys import JwtKeys

ISSUER = "http://127.0.0.1:9229/local_pool"
AUDIENCE = "local-client"


def test_engine_verifies_tokens_against_a_jwks_url(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
    jwt_keys: JwtKeys,
) -> None:
    """Engine verifies tokens against a jwks url.

    GIVEN an engine configured with jwk_url, stringified claims, issuer and audience WHEN a
    token signed by the published key asks for its own row THEN only that row; a token signed
    by another key is refused with invalid-jwt; no token gives the anonymous role.
    """
    with JwksServer(jwt_keys.jwks(), {"Cache-Control": "max-age=300"}) as jwks:
        engine = start_engine(create_database("jwkurl"), jwt_secret={
            "jwk_url": jwks.url, "claims_format": "stringified_json",
            "issuer": ISSUER, "audience": AUDIENCE})
        engine.run_sql("create table item (id int primary key, owner text not null);"
                       "insert into item values (1, 'u1'), (2, 'u2');")
        response = engine.metadata({"type": "bulk", "args": [
            {"type": "pg_track_table", "args": {"table": "item"}},
            {"type": "pg_create_select_permission", "args": {
                "table": "item", "role": "user", "permission": {
                    "columns": ["id"], "filter": {"owner": {"_eq": "X-Hasura-User-Id"}}}}},
        ]})
        assert response.status_code == 200, response.text

        def ask(token: str | None) -> object:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return engine.graphql("{ item { id } }", headers=headers, admin=False)

        claims = jwt_keys.claims(user_id="u2", stringified=True, iss=ISSUER, aud=AUDIENCE)
        assert ask(jwt_keys.sign(claims)) == {"data": {"item": [{"id": 2}]}}
        stranger = JwtKeys(kid=jwt_keys.kid)
        refused = ask(stranger.sign(claims))
        assert isinstance(refused, dict)
        assert refused["errors"][0]["extensions"]["code"] == "invalid-jwt"
        anonymous = ask(None)
        assert isinstance(anonymous, dict)
        assert anonymous["errors"][0]["extensions"]["code"] == "validation-failed"
        assert jwks.fetches >= 1


def test_engine_stringify_numeric_types_flag(
    start_engine: Callable[..., EngineHandle], create_database: Callable[[str], str],
) -> None:
    """Engine stringify numeric types flag.

    GIVEN HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES WHEN a bigint and a numeric are read THEN
    both come back as JSON strings.
    """
    engine = start_engine(create_database("stringify"), stringify_numeric_types=True)
    engine.run_sql("create table amount (id bigint primary key, value numeric not null);"
                   "insert into amount values (9007199254740993, 12.50);")
    assert engine.metadata({"type": "pg_track_table",
                            "args": {"table": "amount"}}).status_code == 200
    assert engine.graphql("{ amount { id value } }") == {
        "data": {"amount": [{"id": "9007199254740993", "value": "12.50"}]}}
