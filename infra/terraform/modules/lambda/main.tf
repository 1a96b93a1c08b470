data "aws_partition" "current" {}

locals {
  is_image         = var.package_type == "Image"
  partition        = data.aws_partition.current.partition
  container_digest = try(var.image.container_digest, null)

  # Function names are `<prefix>-<key with dashes>`: post_confirmation becomes
  # hasura-core-dev-post-confirmation.
  function_names = { for key, _ in var.functions : key => "${var.name_prefix}-${replace(key, "_", "-")}" }
}

# ---------------------------------------------------------------------------------------
# Code: one container image for every function in this instance (each picks its handler
# through the image CMD), or one zip archive.
# ---------------------------------------------------------------------------------------

data "aws_ecr_repository" "this" {
  count = local.is_image ? 1 : 0

  name = var.image.ecr_repository
}

# A tag is resolved to its digest at plan time, so the function always runs exactly the
# image that was reviewed in the plan, and pushing a new tag shows up as a diff.
data "aws_ecr_image" "this" {
  count = local.is_image && local.container_digest == null ? 1 : 0

  repository_name = var.image.ecr_repository
  image_tag       = var.image.container_ver
}

locals {
  image_digest = local.container_digest != null ? local.container_digest : one(data.aws_ecr_image.this[*].image_digest)
  image_uri    = local.is_image ? "${one(data.aws_ecr_repository.this[*].repository_url)}@${local.image_digest}" : null
}

# ---------------------------------------------------------------------------------------
# Dead letters: asynchronous invocations that still fail after Lambda's retries land here
# instead of vanishing.
# ---------------------------------------------------------------------------------------

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name_prefix}-dlq"
  message_retention_seconds = var.dead_letter_retention_seconds
  sqs_managed_sse_enabled   = true
}

# ---------------------------------------------------------------------------------------
# Per function: log group, role and policy, function.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.functions

  name              = "/aws/lambda/${local.function_names[each.key]}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.placement.kms_key_arn
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.functions

  name               = local.function_names[each.key]
  description        = "Execution role of ${local.function_names[each.key]}: ${each.value.description}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "this" {
  for_each = var.functions

  # Only this function's own log group: the group exists before the function, so the
  # role needs no logs:CreateLogGroup.
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[each.key].arn}:*"]
  }

  statement {
    sid       = "SendDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letter.arn]
  }

  # Environment variables, secrets and DynamoDB items are encrypted with this key.
  statement {
    sid       = "DecryptWithPlatformKey"
    actions   = ["kms:Decrypt"]
    resources = [var.placement.kms_key_arn]
  }

  dynamic "statement" {
    for_each = each.value.policy_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = var.functions

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.this[each.key].json
}

# AWS-managed and narrow: ENI management for VPC attachment (EC2 only accepts "*" for
# these actions) and X-Ray segment upload (X-Ray has no resource-level permissions).
resource "aws_iam_role_policy_attachment" "vpc_access" {
  for_each = var.functions

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"
}

resource "aws_iam_role_policy_attachment" "xray" {
  for_each = var.functions

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_272:Lambda signs zip packages only (set code_signing_config_arn for those); images are pinned by digest from an immutable, scanned ECR repository.
  for_each = var.functions

  function_name = local.function_names[each.key]
  description   = each.value.description
  role          = aws_iam_role.this[each.key].arn
  architectures = [var.architecture]

  package_type = var.package_type
  image_uri    = local.image_uri

  dynamic "image_config" {
    for_each = local.is_image ? [1] : []

    content {
      command = [each.value.handler]
    }
  }

  filename         = local.is_image ? null : var.zip_file
  source_code_hash = local.is_image ? null : filebase64sha256(var.zip_file)
  handler          = local.is_image ? null : each.value.handler
  runtime          = local.is_image ? null : var.runtime

  code_signing_config_arn = local.is_image ? null : var.code_signing_config_arn

  memory_size                    = each.value.memory_size
  timeout                        = each.value.timeout
  reserved_concurrent_executions = each.value.reserved_concurrency
  kms_key_arn                    = var.placement.kms_key_arn

  environment {
    variables = merge(
      {
        POWERTOOLS_SERVICE_NAME = each.key
        POWERTOOLS_LOG_LEVEL    = var.log_level
      },
      each.value.environment,
    )
  }

  tracing_config {
    mode = "Active"
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letter.arn
  }

  vpc_config {
    subnet_ids         = var.placement.subnet_ids
    security_group_ids = var.placement.security_group_ids
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this[each.key].name
  }

  # The role must be able to write logs and create ENIs before the first invocation.
  depends_on = [
    aws_iam_role_policy.this,
    aws_iam_role_policy_attachment.vpc_access,
    aws_iam_role_policy_attachment.xray,
  ]
}

# ---------------------------------------------------------------------------------------
# Alarms: a dead letter or an unhandled error is a lost event or a failed sign-up, so both
# page someone instead of waiting for a user report.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name_prefix}-dead-letters"
  alarm_description   = "Events that Lambda gave up on are waiting in ${aws_sqs_queue.dead_letter.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.placement.alarm_topic_arns
  ok_actions          = var.placement.alarm_topic_arns

  dimensions = {
    QueueName = aws_sqs_queue.dead_letter.name
  }
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  for_each = var.functions

  alarm_name          = "${local.function_names[each.key]}-errors"
  alarm_description   = "${local.function_names[each.key]} raised unhandled errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.placement.alarm_topic_arns
  ok_actions          = var.placement.alarm_topic_arns

  dimensions = {
    FunctionName = aws_lambda_function.this[each.key].function_name
  }
}
