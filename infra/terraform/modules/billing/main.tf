data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}

# ---------------------------------------------------------------------------------------
# Notifications: an encrypted SNS topic that the billing alarm and the budget publish to.
# ---------------------------------------------------------------------------------------

# Alarms and Budgets cannot publish to a topic under the AWS-managed SNS key, so the
# topic gets its own key whose policy lets exactly those two services use it.
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:A KMS key policy's Resource "*" means "this key"; the statement delegates control of this one key to the account's IAM policies.
  #checkov:skip=CKV_AWS_111:A KMS key policy's Resource "*" means "this key"; write access is scoped to this key only.
  #checkov:skip=CKV_AWS_356:A KMS key policy's Resource "*" means "this key"; it cannot name anything else.
  statement {
    sid       = "AccountAdministration"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmAndBudgetPublishers"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_kms_key" "notifications" {
  description             = "Encrypts the billing notifications topic of ${var.name}."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_sns_topic" "billing" {
  name              = "${var.name}-billing"
  kms_master_key_id = aws_kms_key.notifications.arn
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AlarmAndBudgetPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.billing.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "billing" {
  arn    = aws_sns_topic.billing.arn
  policy = data.aws_iam_policy_document.topic.json
}

# Each address receives a confirmation email from AWS; nothing is delivered until it is
# confirmed.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.notification_emails)

  topic_arn = aws_sns_topic.billing.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------------------------------
# Billing alarm (CloudWatch) and budget (AWS Budgets).
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "estimated_charges" {
  alarm_name          = "${var.name}-estimated-charges"
  alarm_description   = "Estimated charges for the month passed ${var.billing_alarm_threshold_usd} USD."
  namespace           = "AWS/Billing"
  metric_name         = "EstimatedCharges"
  statistic           = "Maximum"
  period              = 21600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.billing_alarm_threshold_usd
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.billing.arn]

  dimensions = {
    Currency = "USD"
  }

  lifecycle {
    precondition {
      condition     = data.aws_region.current.name == "us-east-1"
      error_message = "AWS publishes billing metrics in us-east-1 only: pass this module a provider for us-east-1."
    }
  }
}

resource "aws_budgets_budget" "monthly" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  # Warn early on actual spend, and again when the forecast says the month will overrun.
  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 80
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = var.notification_emails
    subscriber_sns_topic_arns  = [aws_sns_topic.billing.arn]
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = 100
    threshold_type             = "PERCENTAGE"
    notification_type          = "FORECASTED"
    subscriber_email_addresses = var.notification_emails
    subscriber_sns_topic_arns  = [aws_sns_topic.billing.arn]
  }

  depends_on = [aws_sns_topic_policy.billing]
}

# ---------------------------------------------------------------------------------------
# Administrators: a group whose members can do nothing but set up MFA until they have
# signed in with it.
# ---------------------------------------------------------------------------------------

resource "aws_iam_group" "admins" {
  name = var.admins_group_name
}

resource "aws_iam_group_policy_attachment" "admins" {
  #checkov:skip=CKV_AWS_274:This group is for the human administrators; its inline policy denies every action until the member has signed in with MFA.
  for_each = toset(var.admin_policy_arns)

  group      = aws_iam_group.admins.name
  policy_arn = each.value
}

data "aws_iam_policy_document" "require_mfa" {
  # Enough to enrol a device and change one's own password on first sign-in.
  statement {
    sid = "ManageOwnMfaAndPassword"
    actions = [
      "iam:ChangePassword",
      "iam:CreateVirtualMFADevice",
      "iam:EnableMFADevice",
      "iam:GetUser",
      "iam:ListMFADevices",
      "iam:ResyncMFADevice",
    ]
    resources = [
      "arn:${local.partition}:iam::${local.account_id}:user/$${aws:username}",
      "arn:${local.partition}:iam::${local.account_id}:mfa/$${aws:username}",
    ]
  }

  statement {
    sid       = "ListVirtualMfaDevices"
    actions   = ["iam:ListVirtualMFADevices", "iam:GetAccountPasswordPolicy"]
    resources = ["*"]
  }

  # Everything else is denied until the session carries MFA; BoolIfExists also catches
  # long-term access keys, whose requests have no MFA key at all.
  statement {
    sid    = "DenyAllWithoutMfa"
    effect = "Deny"
    not_actions = [
      "iam:ChangePassword",
      "iam:CreateVirtualMFADevice",
      "iam:EnableMFADevice",
      "iam:GetUser",
      "iam:ListMFADevices",
      "iam:ListVirtualMFADevices",
      "iam:ResyncMFADevice",
      "iam:GetAccountPasswordPolicy",
      "sts:GetSessionToken",
    ]
    resources = ["*"]

    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_group_policy" "require_mfa" {
  name   = "deny-all-without-mfa"
  group  = aws_iam_group.admins.name
  policy = data.aws_iam_policy_document.require_mfa.json
}

resource "aws_iam_group_membership" "admins" {
  #checkov:skip=CKV2_AWS_14:The members are existing IAM users passed by name (admin_user_names), not users this configuration creates, so the graph cannot see them.
  #checkov:skip=CKV2_AWS_21:The users are given by name (admin_user_names) and exist outside this configuration, so the graph cannot see their groups.
  count = length(var.admin_user_names) > 0 ? 1 : 0

  name  = "${var.admins_group_name}-members"
  group = aws_iam_group.admins.name
  users = var.admin_user_names
}
