"""Lambda wiring, read from the HCL.

Every package has a function with its own role, log group and alarms, and each function gets
only the permissions listed here.
"""

from __future__ import annotations

import re
from typing import Any

from .conftest import MODULES_DIR, REPO_ROOT, attr, labelled, load_hcl

# The functions the system needs today; packages added under lambdas/ join them at test time.
EXPECTED_LAMBDAS = {
    "post_confirmation",
    "pre_token_generation",
    "post_authentication",
    "user_migration",
    "coinbase_prices",
}

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
