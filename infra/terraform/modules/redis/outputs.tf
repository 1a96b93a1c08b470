output "url" {
  description = "Connection URL for the service (TLS, database 0); it holds no credential (the services authenticate with IAM as `service_user`)."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${local.port}/0"
}

output "security_group_id" {
  description = "Security group of the cache."
  value       = module.access.security_group_id
}

output "replication_group_id" {
  description = "Replication group id: what an IAM authentication token is signed for (REDIS_REPLICATION_GROUP_ID)."
  value       = aws_elasticache_replication_group.this.id
}

output "service_user" {
  description = "The IAM-authenticated user the services connect as (REDIS_IAM_USER), and the ARNs `elasticache:Connect` must name."
  value = {
    user_id               = aws_elasticache_user.service.user_id
    user_arn              = aws_elasticache_user.service.arn
    replication_group_arn = aws_elasticache_replication_group.this.arn
  }
}
