"""Cognito wiring, read from the HCL.

Each trigger calls the function of the same name, only its pool may invoke it, and the pool
follows the sign-in policy.
"""

from __future__ import annotations

from typing import Any

from .conftest import MODULES_DIR, attr, labelled, load_hcl

COGNITO_TRIGGERS = (
    "pre_token_generation",
    "post_confirmation",
    "post_authentication",
    "user_migration",
)


def test_cognito_triggers_call_the_function_of_the_same_name(
    dev: dict[str, list[Any]], functions: dict[str, dict[str, Any]]
) -> None:
    """GIVEN the cognito module call WHEN read THEN each trigger names its own function."""
    cognito = labelled(dev["module"])["cognito"]
    triggers = attr(cognito, "lambda_triggers")

    assert set(triggers) == set(COGNITO_TRIGGERS)
    for trigger, wiring in triggers.items():
        module = functions[trigger]["_module"]
        assert wiring == {
            "function_name": f'${{module.{module}.functions["{trigger}"].name}}',
            "arn": f'${{module.{module}.functions["{trigger}"].arn}}',
        }


def test_cognito_module_wires_each_trigger_and_lets_only_its_pool_invoke() -> None:
    """GIVEN the cognito module WHEN read THEN lambda_config and invoke grants match triggers."""
    resources = load_hcl(MODULES_DIR / "cognito")["resource"]
    pool = labelled(resources, "aws_cognito_user_pool")["this"]
    config = attr(pool, "lambda_config")
    permission = labelled(resources, "aws_lambda_permission")["trigger"]

    for trigger in ("post_confirmation", "post_authentication", "user_migration"):
        assert attr(config, trigger) == f"${{var.lambda_triggers.{trigger}.arn}}"
    pre_token = attr(config, "pre_token_generation_config")
    assert attr(pre_token, "lambda_arn") == "${var.lambda_triggers.pre_token_generation.arn}"
    assert attr(pre_token, "lambda_version") == "V1_0"

    grants = attr(permission, "for_each")
    assert grants == {t: f"${{var.lambda_triggers.{t}.function_name}}" for t in COGNITO_TRIGGERS}
    assert attr(permission, "principal") == "cognito-idp.amazonaws.com"
    assert attr(permission, "source_arn") == "${aws_cognito_user_pool.this.arn}"


def test_cognito_pool_follows_the_password_and_sign_in_policy() -> None:
    """GIVEN the user pool WHEN read THEN email sign-in, seed 003's password policy, protection."""
    resources = load_hcl(MODULES_DIR / "cognito")["resource"]
    pool = labelled(resources, "aws_cognito_user_pool")["this"]
    client = labelled(resources, "aws_cognito_user_pool_client")["this"]
    policy = attr(pool, "password_policy")

    assert attr(pool, "username_attributes") == ["email"]
    assert attr(pool, "auto_verified_attributes") == ["email"]
    assert (attr(policy, "require_uppercase"), attr(policy, "require_lowercase")) == (True, True)
    assert (attr(policy, "require_numbers"), attr(policy, "require_symbols")) == (True, False)
    assert "ACTIVE" in attr(pool, "deletion_protection")
    assert set(attr(client, "explicit_auth_flows")) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    groups = labelled(resources, "aws_cognito_user_group")
    assert attr(groups["admin"], "name") == "admin"
