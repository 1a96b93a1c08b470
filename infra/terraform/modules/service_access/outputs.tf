output "security_group_id" {
  description = "ID of the service's security group, to attach to the service."
  value       = aws_security_group.this.id
}
