output "sns_topic_arn" {
  description = "Topic that receives billing alarms and budget notifications."
  value       = aws_sns_topic.billing.arn
}

output "budget_name" {
  description = "Name of the monthly budget."
  value       = aws_budgets_budget.monthly.name
}

output "billing_alarm_name" {
  description = "Name of the CloudWatch billing alarm."
  value       = aws_cloudwatch_metric_alarm.estimated_charges.alarm_name
}

output "admins_group_name" {
  description = "Name of the MFA-enforced administrators group."
  value       = aws_iam_group.admins.name
}
