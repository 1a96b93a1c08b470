output "user_pool_id" {
  description = "ID of the user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "app_client_id" {
  description = "ID of the app client; the `aud` claim of ID tokens and Hasura's JWT audience."
  value       = aws_cognito_user_pool_client.this.id
}

output "issuer" {
  description = "Issuer (`iss`) of the pool's tokens."
  value       = local.issuer
}

output "jwks_url" {
  description = "URL of the pool's public signing keys, for Hasura's `jwk_url`."
  value       = "${local.issuer}/.well-known/jwks.json"
}

output "region" {
  description = "Region of the user pool."
  value       = data.aws_region.current.name
}

output "admin_group_name" {
  description = "Name of the Cognito group whose members get the Hasura admin role."
  value       = aws_cognito_user_group.admin.name
}
