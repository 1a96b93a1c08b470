output "cluster_arn" {
  description = "ARN of the cluster (the event source mapping's source)."
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_msk_cluster.this.cluster_name
}

output "cluster_uuid" {
  description = "UUID of the cluster, part of its topic and group ARNs."
  value       = aws_msk_cluster.this.cluster_uuid
}

output "bootstrap_brokers_iam" {
  description = "Bootstrap brokers for IAM inside the VPC (port 9098)."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "bootstrap_brokers_public_iam" {
  description = "Public bootstrap brokers for IAM (port 9198): the producer's KAFKA_BOOTSTRAP_SERVERS once public access is on."
  value       = aws_msk_cluster.this.bootstrap_brokers_public_sasl_iam
}

output "security_group_id" {
  description = "Security group of the brokers."
  value       = module.access.security_group_id
}
