locals {
  port = 6379
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}."
  subnet_ids  = var.subnet_ids
}

# Reachable from the functions' security group only, in private subnets.
resource "aws_security_group" "this" {
  name        = "${var.name}-redis"
  description = "Redis of ${var.name}: reachable from the functions only."
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-redis" }
}

resource "aws_vpc_security_group_ingress_rule" "from_security_groups" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = aws_security_group.this.id
  description                  = "Redis from the functions' security group."
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  referenced_security_group_id = each.value
}

resource "aws_vpc_security_group_egress_rule" "to_redis" {
  for_each = toset(var.allowed_security_group_ids)

  security_group_id            = each.value
  description                  = "Redis (TLS) to ${var.name}."
  ip_protocol                  = "tcp"
  from_port                    = local.port
  to_port                      = local.port
  referenced_security_group_id = aws_security_group.this.id
}

resource "aws_cloudwatch_log_group" "slow_log" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_elasticache_replication_group" "this" {
  #checkov:skip=CKV_AWS_31:No AUTH token: the provider has no write-only form, so it would sit in Terraform state, which holds no secret here; access is limited to the functions' security group in private subnets, over TLS.
  replication_group_id = var.name
  description          = "Rate limits of the action service (${var.name})."

  engine               = "redis"
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = local.port
  parameter_group_name = "default.redis7"

  # Cluster mode off: the service uses a plain (non-cluster) client.
  num_cache_clusters         = var.multi_az ? 2 : 1
  automatic_failover_enabled = var.multi_az
  multi_az_enabled           = var.multi_az

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this.id]

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"

  snapshot_retention_limit   = var.snapshot_retention_limit
  snapshot_window            = "02:00-03:00"
  maintenance_window         = "sun:05:30-sun:06:30"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow_log.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}
