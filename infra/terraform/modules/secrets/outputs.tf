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

output "momento_api_key_arns" {
  description = "ARN of the Momento API key secret, as a list (empty unless momento_api_key_enabled)."
  value       = aws_secretsmanager_secret.momento_api_key[*].arn
}
