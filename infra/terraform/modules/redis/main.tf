locals {
  port = 6379
}

resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}."
  subnet_ids  = var.subnet_ids
}

# Reachable from the functions' security group only, in private subnets.
module "access" {
  source = "../service_access"

  name                      = "${var.name}-redis"
  description               = "Redis of ${var.name}: reachable from the functions only."
  vpc_id                    = var.vpc_id
  service                   = "Redis (TLS)"
  port                      = local.port
  client_security_group_ids = var.allowed_security_group_ids
}

moved {
  from = aws_security_group.this
  to   = module.access.aws_security_group.this
}

moved {
  from = aws_vpc_security_group_ingress_rule.from_security_groups
  to   = module.access.aws_vpc_security_group_ingress_rule.from_clients
}

moved {
  from = aws_vpc_security_group_egress_rule.to_redis
  to   = module.access.aws_vpc_security_group_egress_rule.clients_to_service
}

resource "aws_cloudwatch_log_group" "slow_log" {
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# Access control (RBAC) with IAM authentication: no Redis password exists anywhere. The
# services connect as `service_user` with a token their Lambda role signs
# (elasticache:Connect, valid 15 minutes); the group's mandatory `default` user is switched
# off, so a connection that does not authenticate as the service can run nothing.
resource "aws_elasticache_user" "default" {
  user_id       = "${var.name}-default"
  user_name     = "default"
  engine        = "redis"
  access_string = "off -@all"

  authentication_mode {
    type = "no-password-required"
  }
}

resource "aws_elasticache_user" "service" {
  # IAM authentication needs the user id and name to be the same.
  user_id       = "${var.name}-svc"
  user_name     = "${var.name}-svc"
  engine        = "redis"
  access_string = "on ~* +@all -@dangerous"

  authentication_mode {
    type = "iam"
  }
}

resource "aws_elasticache_user_group" "this" {
  engine        = "redis"
  user_group_id = var.name
  user_ids      = [aws_elasticache_user.default.user_id, aws_elasticache_user.service.user_id]
}

resource "aws_elasticache_replication_group" "this" {
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
  security_group_ids = [module.access.security_group_id]

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  user_group_ids             = [aws_elasticache_user_group.this.user_group_id]

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
