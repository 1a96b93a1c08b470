output "url" {
  description = "Connection URL for the service (TLS, database 0); it holds no credential."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${local.port}/0"
}

output "security_group_id" {
  description = "Security group of the cache."
  value       = aws_security_group.this.id
}
