output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the HTTP API."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "base_url" {
  description = "URL Hasura calls, without a trailing slash: https://<custom domain> when one is set, else the execute-api URL."
  value       = local.custom_domain == null ? trimsuffix(aws_apigatewayv2_stage.default.invoke_url, "/") : "https://${local.custom_domain}"
}

output "custom_domain" {
  description = "Custom domain name, or null."
  value       = local.custom_domain
}
