data "aws_partition" "current" {}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}."
  subnet_ids  = var.subnet_ids
}

# "Lock down RDS": the only ways in are the functions' security group and the CIDRs
# Hasura Cloud connects from (its peered VPC range); nothing else, and no public address.
module "access" {
  source = "../service_access"

  name                      = "${var.name}-postgres"
  description               = "PostgreSQL of ${var.name}: reachable from the functions and Hasura only."
  vpc_id                    = var.vpc_id
  service                   = "PostgreSQL"
  port                      = local.port
  client_security_group_ids = var.allowed_security_group_ids
  cidrs                     = var.hasura_egress_cidrs
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
  from = aws_vpc_security_group_egress_rule.to_database
  to   = module.access.aws_vpc_security_group_egress_rule.clients_to_service
}

moved {
  from = aws_vpc_security_group_ingress_rule.from_hasura
  to   = module.access.aws_vpc_security_group_ingress_rule.from_cidrs
}

locals {
  port = 5432
}

resource "aws_db_parameter_group" "this" {
  name        = "${var.name}-postgres15"
  family      = "postgres15"
  description = "TLS-only connections and slow-query logging for ${var.name}."

  # Refuse unencrypted connections: Hasura and the functions both speak TLS.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Log statements slower than this, so slow GraphQL queries show up in CloudWatch.
  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.slow_query_log_ms)
  }

  # Log DDL only: logging every statement would write user data into the logs.
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }
}

# RDS creates these groups on first export with no retention and no encryption; creating
# them first lets Terraform own both.
resource "aws_cloudwatch_log_group" "exports" {
  for_each = toset(local.log_exports)

  name              = "/aws/rds/instance/${var.name}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

locals {
  log_exports = ["postgresql", "upgrade"]
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name               = "${var.name}-rds-monitoring"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
}

# AWS's own narrow policy for Enhanced Monitoring (writes to the RDSOSMetrics log group).
resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "this" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.database_name
  username = var.master_username
  port     = local.port

  # Write-only: the password reaches RDS but is never stored in the Terraform state.
  # Bump `master_password_version` to set a new one (the secrets module follows).
  password_wo         = var.master_password
  password_wo_version = var.master_password_version

  iam_database_authentication_enabled = true

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [module.access.security_group_id]
  publicly_accessible    = false
  multi_az               = var.multi_az
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period   = var.backup_retention_period
  backup_window             = "03:00-04:00"
  maintenance_window        = "sun:04:30-sun:05:30"
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-final"

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false

  enabled_cloudwatch_logs_exports = local.log_exports
  monitoring_interval             = var.monitoring_interval_seconds
  monitoring_role_arn             = aws_iam_role.monitoring.arn

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7

  depends_on = [aws_cloudwatch_log_group.exports]
}
