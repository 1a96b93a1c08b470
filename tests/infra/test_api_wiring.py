"""The APIs Hasura calls, read from the HCL.

Routes pass the shared-secret authorizer first, and Hasura Cloud gets its environment with
secrets as ARNs only.
"""

from __future__ import annotations

from typing import Any

from .conftest import DEV, MODULES_DIR, attr, labelled, load_hcl


def test_api_routes_pass_the_shared_secret_authorizer_first(
    dev: dict[str, list[Any]], functions: dict[str, dict[str, Any]],
) -> None:
    """Api routes pass the shared-secret authorizer first.

    GIVEN the api module and both API calls WHEN read THEN the only route is CUSTOM-authorized
    by a REQUEST authorizer on the shared-secret header, whose function is the gateway
    authorizer, and only that API may invoke it.
    """
    resources = load_hcl(MODULES_DIR / "api")["resource"]
    route = labelled(resources, "aws_apigatewayv2_route")["default"]
    authorizer = labelled(resources, "aws_apigatewayv2_authorizer")["shared_secret"]
    permission = labelled(resources, "aws_lambda_permission")["authorizer"]

    assert attr(route, "authorization_type") == "CUSTOM"
    assert attr(route, "authorizer_id") == "${aws_apigatewayv2_authorizer.shared_secret.id}"
    assert attr(authorizer, "authorizer_type") == "REQUEST"
    assert attr(authorizer, "enable_simple_responses") is True
    assert attr(authorizer, "identity_sources") == ["$request.header.${var.authorizer.header}"]
    assert attr(permission, "source_arn").endswith(
        "/authorizers/${aws_apigatewayv2_authorizer.shared_secret.id}")
    header = labelled(load_hcl(MODULES_DIR / "api")["variable"])["authorizer"]
    assert "X-Action-Secret" in str(attr(header, "type"))
    local_values = next(b for b in dev["locals"] if "gateway_authorizer" in b)
    assert attr(local_values, "gateway_authorizer")["function_name"] == (
        '${module.services.functions["gateway_authorizer"].name}')
    for name in ("actions_api", "triggers_api"):
        call = labelled(dev["module"])[name]
        assert attr(call, "authorizer") == "${local.gateway_authorizer}", name
    assert functions["gateway_authorizer"]["handler"] == "actions.gateway_authorizer.handler"


def test_hasura_cloud_env_carries_jwt_urls_and_secret_references() -> None:
    """GIVEN dev's outputs WHEN read THEN Hasura Cloud gets its env vars, secrets as ARNs only."""
    config = load_hcl(DEV)
    outputs = labelled(config["output"])
    jwt = next(attr(b, "hasura_jwt_secret") for b in config["locals"] if "hasura_jwt_secret" in b)

    assert set(attr(outputs["hasura_cloud_env"], "value")) == {
        "HASURA_GRAPHQL_JWT_SECRET",
        "ACTIONS_BASE_URL",
        "TRIGGERS_BASE_URL",
        "EVENT_TRIGGER_URL",
        "CREDIT_HISTORY_URL",
        "HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS",
    }
    assert set(attr(outputs["hasura_cloud_secret_arns"], "value")) == {
        "HASURA_GRAPHQL_DATABASE_URL",
        "HASURA_GRAPHQL_ADMIN_SECRET",
        "ACTION_SHARED_SECRET",
    }
    # The parser renders the jsonencode() argument as a Python-style mapping.
    assert jwt.startswith("${jsonencode(")
    for field, value in {
        "jwk_url": "${module.cognito.jwks_url}",
        "issuer": "${module.cognito.issuer}",
        "audience": "${module.cognito.app_client_id}",
        "claims_format": "stringified_json",
    }.items():
        assert f"'{field}': '{value}'" in jwt
