output "hasura_admin_secret_arn" {
  description = "ARN of the Hasura admin secret."
  value       = aws_secretsmanager_secret.hasura_admin_secret.arn
}

output "action_shared_secret_arn" {
  description = "ARN of the action shared secret."
  value       = aws_secretsmanager_secret.action_shared_secret.arn
}

output "database_url_arn" {
  description = "ARN of the database URL secret."
  value       = aws_secretsmanager_secret.database_url.arn
}

output "cognito_arn" {
  description = "ARN of the Cognito configuration secret."
  value       = aws_secretsmanager_secret.cognito.arn
}
