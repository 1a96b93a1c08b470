"""The wiring a reviewer checks, read from the HCL itself.

Every Lambda package has a function (with its own role and log group), each Cognito
trigger calls the function of the same name, each function gets only the permissions
listed here, no IAM statement allows every action on every resource, and the database
is private.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    ENVS_DIR,
    MODULES_DIR,
    REPO_ROOT,
    TERRAFORM_DIR,
    attr,
    env_dirs,
    labelled,
    load_hcl,
    module_dirs,
)

DEV = ENVS_DIR / "dev"
LAMBDA_MODULE_SOURCE = "../../modules/lambda"

# The functions the system needs today; packages added under lambdas/ join them at test time.
EXPECTED_LAMBDAS = {
    "post_confirmation",
    "pre_token_generation",
    "post_authentication",
    "user_migration",
    "coinbase_prices",
}
COGNITO_TRIGGERS = (
    "pre_token_generation",
    "post_confirmation",
    "post_authentication",
    "user_migration",
)

# Least privilege, per function: the only actions beyond logs, dead letters and the KMS key.
EXPECTED_ACTIONS = {
    "post_confirmation": {"secretsmanager:GetSecretValue"},
    "pre_token_generation": set(),
    "post_authentication": {"secretsmanager:GetSecretValue"},
    "user_migration": {"dynamodb:GetItem", "dynamodb:UpdateItem"},
    "legacy_loader": {
        "kafka-cluster:Connect", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers",
        "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:DescribeGroup",
        "kafka-cluster:AlterGroup", "dynamodb:PutItem", "sqs:SendMessage", "kms:GenerateDataKey",
    },
    "coinbase_prices": {"secretsmanager:GetSecretValue"},
    "gateway_authorizer": {"secretsmanager:GetSecretValue"},
    "actions": {"secretsmanager:GetSecretValue", "cognito-idp:AdminUserGlobalSignOut",
                "sqs:GetQueueUrl", "sqs:SendMessage", "dynamodb:Query", "elasticache:Connect"},
    "triggers": {"secretsmanager:GetSecretValue", "elasticache:Connect",
                 "lambda:InvokeFunction", "ivs:CreateChannel",
                 "ivs:GetChannel", "ivs:StopStream", "ivs:TagResource", "sqs:GetQueueUrl",
                 "sqs:SendMessage", "s3:PutObject", "s3:AbortMultipartUpload",
                 "kms:GenerateDataKey"},
    "credit_history": {"secretsmanager:GetSecretValue", "athena:StartQueryExecution",
                       "athena:GetQueryExecution", "athena:GetQueryResults",
                       "athena:StopQueryExecution", "glue:GetDatabase", "glue:GetTable",
                       "glue:GetPartitions", "s3:GetObject", "s3:ListBucket",
                       "s3:GetBucketLocation", "s3:PutObject", "s3:AbortMultipartUpload",
                       "s3:ListMultipartUploadParts", "kms:GenerateDataKey", "kms:Decrypt"},
    "bid_persistence": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility", "dynamodb:PutItem"},
    "auction_notifications": {"secretsmanager:GetSecretValue", "sqs:ReceiveMessage",
                              "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                              "sqs:ChangeMessageVisibility"},
}
UNNAMED_RESOURCES = {"ivs:CreateChannel"}
"""Actions on a resource that does not exist yet: granted on ``<type>/*`` of the account."""
OBJECT_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject",
                  "s3:ListMultipartUploadParts"}
"""S3 object actions: granted on the objects under one key prefix, ``<bucket>/<prefix>*``."""


def discovered_lambda_packages() -> set[str]:
    """Folders under lambdas/ with a handler.py, except the shared code."""
    root = REPO_ROOT / "lambdas"
    if not root.is_dir():
        return set()
    return {p.name for p in root.iterdir() if (p / "handler.py").is_file() and p.name != "shared"}


@pytest.fixture(scope="module")
def dev() -> dict[str, list[Any]]:
    return load_hcl(DEV)


@pytest.fixture(scope="module")
def function_modules(dev: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    """The dev environment's instances of the lambda module, by module name."""
    return {
        name: body
        for name, body in labelled(dev["module"]).items()
        if attr(body, "source") == LAMBDA_MODULE_SOURCE
    }


@pytest.fixture(scope="module")
def functions(function_modules: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every function of the dev environment, by key, with the module that creates it."""
    found: dict[str, dict[str, Any]] = {}
    for module_name, body in function_modules.items():
        for key, spec in attr(body, "functions").items():
            assert key not in found, f"function {key} is defined twice"
            found[key] = {**spec, "_module": module_name}
    return found


def _resolve(value: Any, local_values: dict[str, Any]) -> Any:
    """Replace a whole-value `${local.name}` reference with the local's value."""
    if isinstance(value, str) and (m := re.fullmatch(r"\$\{local\.(\w+)\}", value)):
        return attr(local_values, m.group(1))
    return value


def test_lambda_every_package_has_a_function_with_its_handler(
    functions: dict[str, dict[str, Any]],
) -> None:
    """GIVEN lambdas/<name>/handler.py packages WHEN dev is read THEN each has a function."""
    wanted = EXPECTED_LAMBDAS | discovered_lambda_packages()

    missing = sorted(wanted - functions.keys())
    wrong_handler = {
        name: functions[name]["handler"]
        for name in wanted & functions.keys()
        if functions[name]["handler"] != f"lambdas.{name}.handler.handler"
    }

    assert missing == [], f"no Terraform function for lambdas/{missing}"
    assert wrong_handler == {}


def test_lambda_module_gives_each_function_its_own_role_and_log_group() -> None:
    """GIVEN the lambda module WHEN read THEN function, role, log group are one per function."""
    resources = load_hcl(MODULES_DIR / "lambda")["resource"]
    function = labelled(resources, "aws_lambda_function")["this"]
    role = labelled(resources, "aws_iam_role")["this"]
    log_group = labelled(resources, "aws_cloudwatch_log_group")["this"]

    for body in (function, role, log_group):
        assert attr(body, "for_each") == "${var.functions}"
    assert attr(function, "role") == "${aws_iam_role.this[each.key].arn}"
    assert attr(attr(function, "logging_config"), "log_group") == (
        "${aws_cloudwatch_log_group.this[each.key].name}"
    )
    assert attr(log_group, "name") == "/aws/lambda/${local.function_names[each.key]}"
    assert attr(log_group, "retention_in_days") == "${var.log_retention_days}"
    # Dead letters, reserved concurrency and tracing are not optional.
    assert attr(attr(function, "dead_letter_config"), "target_arn")
    assert attr(function, "reserved_concurrent_executions") == "${each.value.reserved_concurrency}"
    assert attr(attr(function, "tracing_config"), "mode") == "Active"


def test_lambda_errors_and_dead_letters_alarm_to_the_alerts_topic(
    dev: dict[str, list[Any]], function_modules: dict[str, dict[str, Any]],
) -> None:
    """GIVEN the lambda module and its calls WHEN read THEN failures alarm the alerts topic."""
    resources = load_hcl(MODULES_DIR / "lambda")["resource"]
    alarms = labelled(resources, "aws_cloudwatch_metric_alarm")

    assert attr(alarms["errors"], "for_each") == "${var.functions}"
    assert attr(alarms["dead_letters"], "dimensions") == {
        "QueueName": "${aws_sqs_queue.dead_letter.name}"
    }
    for alarm in alarms.values():
        assert attr(alarm, "alarm_actions") == "${var.placement.alarm_topic_arns}"
    for name, body in function_modules.items():
        assert attr(body, "placement") == "${local.function_placement}", name
    placement = next(attr(b, "function_placement") for b in dev["locals"]
                     if "function_placement" in b)
    assert placement["alarm_topic_arns"] == ["${module.alerts.topic_arn}"]


def test_lambda_functions_get_only_their_listed_permissions(
    dev: dict[str, list[Any]], functions: dict[str, dict[str, Any]]
) -> None:
    """GIVEN each function's policy_statements WHEN resolved THEN the actions are as listed."""
    local_values: dict[str, Any] = {}
    for block in dev["locals"]:
        local_values.update(block)

    granted: dict[str, set[str]] = {}
    for key, spec in functions.items():
        statements = _resolve(spec.get("policy_statements", []), local_values)
        actions: set[str] = set()
        for statement in statements:
            statement = _resolve(statement, local_values)
            actions.update(statement["actions"])
            if UNNAMED_RESOURCES & set(statement["actions"]):
                assert all(r.endswith("/*") and r.count("*") == 1
                           for r in statement["resources"]), (key, statement)
            elif set(statement["actions"]) <= OBJECT_ACTIONS:
                assert all(r.endswith("*") and r.count("*") == 1 and "bucket_arn}/" in r
                           and not r.endswith("bucket_arn}/*")
                           for r in statement["resources"]), (key, statement)
            else:
                assert all("*" not in r for r in statement["resources"]), (key, statement)
        granted[key] = actions

    assert granted == EXPECTED_ACTIONS


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


def _policy_statements(config: dict[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    documents = labelled(config.get("data", []), "aws_iam_policy_document")
    found = []
    for name, document in documents.items():
        for statement in document.get("statement", []):
            found.append((name, statement))
    return found


@pytest.mark.parametrize(
    "directory",
    [*module_dirs(), *env_dirs()],
    ids=lambda p: str(p.relative_to(TERRAFORM_DIR)),
)
def test_iam_no_statement_allows_every_action_on_every_resource(directory: Path) -> None:
    """GIVEN every IAM policy document WHEN read THEN no Allow has "*" actions on "*"."""
    offending = []
    for name, statement in _policy_statements(load_hcl(directory)):
        if attr(statement, "effect", "Allow") != "Allow":
            continue
        actions = attr(statement, "actions", [])
        resources = attr(statement, "resources", [])
        # NotAction in an Allow grants everything else: never acceptable here.
        if "not_actions" in statement or ("*" in actions and "*" in resources):
            offending.append((name, attr(statement, "sid")))

    assert offending == []


def test_iam_no_full_access_managed_policy_is_attached() -> None:
    """GIVEN all Terraform files WHEN searched THEN no AWS *FullAccess policy is referenced."""
    hits = [
        f"{path.relative_to(REPO_ROOT)}: {match}"
        for path in TERRAFORM_DIR.rglob("*.tf")
        for match in re.findall(r"policy/[\w/-]*FullAccess", path.read_text(encoding="utf-8"))
    ]

    assert hits == []


def test_rds_is_private_encrypted_and_protected(dev: dict[str, list[Any]]) -> None:
    """GIVEN the rds module and its call WHEN read THEN private, encrypted, IAM auth, backups."""
    config = load_hcl(MODULES_DIR / "rds")
    instance = labelled(config["resource"], "aws_db_instance")["this"]
    variables = labelled(config["variable"])

    assert attr(instance, "publicly_accessible") is False
    assert attr(instance, "storage_encrypted") is True
    assert attr(instance, "iam_database_authentication_enabled") is True
    assert attr(instance, "engine") == "postgres"
    assert attr(variables["engine_version"], "default").startswith("15")
    assert attr(instance, "skip_final_snapshot") is False
    assert attr(instance, "deletion_protection") == "${var.deletion_protection}"
    assert attr(variables["deletion_protection"], "default") is True
    assert attr(instance, "backup_retention_period") == "${var.backup_retention_period}"
    assert attr(variables["backup_retention_period"], "default") >= 7
    assert attr(instance, "enabled_cloudwatch_logs_exports") == "${local.log_exports}"

    call = labelled(dev["module"])["rds"]
    assert attr(call, "subnet_ids") == "${module.network.private_subnet_ids}"
    assert attr(call, "allowed_security_group_ids") == [
        "${module.network.lambda_security_group_id}"
    ]
    assert "deletion_protection" not in call


def test_rds_accepts_connections_only_from_listed_sources() -> None:
    """GIVEN the database security group WHEN read THEN ingress is the functions' SG or CIDRs."""
    access = labelled(load_hcl(MODULES_DIR / "rds")["module"])["access"]
    resources = load_hcl(MODULES_DIR / "service_access")["resource"]
    ingress = labelled(resources, "aws_vpc_security_group_ingress_rule")

    assert attr(access, "source") == "../service_access"
    assert attr(access, "port") == "${local.port}"
    assert attr(access, "client_security_group_ids") == "${var.allowed_security_group_ids}"
    assert attr(access, "cidrs") == "${var.hasura_egress_cidrs}"
    assert "cidr_port" not in access
    assert set(ingress) == {"from_clients", "from_cidrs"}
    assert attr(ingress["from_clients"], "for_each") == (
        "${toset(var.client_security_group_ids)}"
    )
    assert attr(ingress["from_cidrs"], "for_each") == "${toset(var.cidrs)}"
    assert (attr(ingress["from_clients"], "from_port"),
            attr(ingress["from_clients"], "to_port")) == ("${var.port}",) * 2


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


def test_redis_takes_only_iam_authenticated_connections(
    dev: dict[str, list[Any]], functions: dict[str, dict[str, Any]],
) -> None:
    """Redis takes only IAM-authenticated connections.

    GIVEN the redis module and the services WHEN read THEN the replication group requires
    TLS and an RBAC user group whose default user is off and whose service user authenticates
    with IAM, and both services name that user and the group for their tokens.
    """
    resources = load_hcl(MODULES_DIR / "redis")["resource"]
    group = labelled(resources, "aws_elasticache_replication_group")["this"]
    users = labelled(resources, "aws_elasticache_user")

    assert attr(group, "transit_encryption_enabled") is True
    assert attr(group, "transit_encryption_mode") == "required"
    assert attr(group, "user_group_ids") == [
        "${aws_elasticache_user_group.this.user_group_id}"]
    assert attr(users["default"], "user_name") == "default"
    assert attr(users["default"], "access_string").startswith("off ")
    assert attr(attr(users["service"], "authentication_mode"), "type") == "iam"
    assert attr(users["service"], "user_id") == attr(users["service"], "user_name")
    for service in ("actions", "triggers"):
        environment = functions[service]["environment"]
        assert environment["REDIS_IAM_USER"] == "${module.redis.service_user.user_id}"
        assert environment["REDIS_REPLICATION_GROUP_ID"] == (
            "${module.redis.replication_group_id}")


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


@pytest.mark.parametrize(
    "directory",
    [*module_dirs(), *env_dirs()],
    ids=lambda p: str(p.relative_to(TERRAFORM_DIR)),
)
def test_layout_files_exist_and_every_variable_and_output_is_documented(
    directory: Path,
) -> None:
    """GIVEN a module or env WHEN read THEN it has the four files, typed documented variables."""
    names = {p.name for p in directory.glob("*.tf")}
    config = load_hcl(directory)

    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= names
    for name, variable in labelled(config.get("variable", [])).items():
        assert attr(variable, "type") is not None, f"variable {name} has no type"
        assert len(attr(variable, "description") or "") > 10, f"variable {name} is undocumented"
    for name, output in labelled(config.get("output", [])).items():
        assert len(attr(output, "description") or "") > 10, f"output {name} is undocumented"
