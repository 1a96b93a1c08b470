output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (NAT gateways only), one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (functions and database), one per AZ."
  value       = aws_subnet.private[*].id
}

output "lambda_security_group_id" {
  description = "Security group for the Lambda functions: HTTPS egress only."
  value       = aws_security_group.lambda.id
}

output "nat_public_ips" {
  description = "Public IPs the functions' outbound traffic comes from (for allow-lists at Hasura Cloud or Coinbase)."
  value       = aws_eip.nat[*].public_ip
}
