locals {
  # MSK's IAM access-control listeners: 9098 inside the VPC, 9198 on the public endpoints.
  private_iam_port = 9098
  public_iam_port  = 9198
}

# Provisioned, not Serverless: MSK Serverless has no public access, and the seed's producer
# runs on a developer's machine outside the VPC. Two kafka.t3.small brokers (one per public
# subnet) are the smallest shape that supports public access and IAM.
resource "aws_msk_configuration" "this" {
  name           = var.name
  kafka_versions = [var.kafka_version]
  description    = "Legacy user migration: public access needs ACLs on, so no one is allowed by default."

  server_properties = <<-EOT
    allow.everyone.if.no.acl.found=false
    auto.create.topics.enable=false
    default.replication.factor=2
    min.insync.replicas=1
    num.partitions=3
  EOT
}

# IAM listeners only: 9098 from the loader's security group inside the VPC, 9198 on the
# public endpoints from the producer's CIDRs.
module "access" {
  source = "../service_access"

  name                      = "${var.name}-msk"
  description               = "MSK of ${var.name}: IAM listeners from the producer's CIDRs and the loader only."
  vpc_id                    = var.vpc_id
  service                   = "Kafka over IAM"
  port                      = local.private_iam_port
  client_security_group_ids = var.client_security_group_ids
  cidrs                     = var.producer_cidrs
  cidr_port                 = local.public_iam_port
}

moved {
  from = aws_security_group.this
  to   = module.access.aws_security_group.this
}

moved {
  from = aws_vpc_security_group_ingress_rule.private_iam_from_clients
  to   = module.access.aws_vpc_security_group_ingress_rule.from_clients
}

moved {
  from = aws_vpc_security_group_egress_rule.clients_to_brokers
  to   = module.access.aws_vpc_security_group_egress_rule.clients_to_service
}

moved {
  from = aws_vpc_security_group_ingress_rule.public_iam_from_producer
  to   = module.access.aws_vpc_security_group_ingress_rule.from_cidrs
}

resource "aws_cloudwatch_log_group" "brokers" {
  name              = "/aws/msk/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = length(var.subnet_ids)

  broker_node_group_info {
    instance_type   = var.instance_type
    client_subnets  = var.subnet_ids
    security_groups = [module.access.security_group_id]

    storage_info {
      ebs_storage_info {
        volume_size = var.volume_size
      }
    }

    # AWS refuses public access when a cluster is created: apply once with DISABLED, then
    # again with SERVICE_PROVIDED_EIPS (the seed's "enable public access" step).
    connectivity_info {
      public_access {
        type = var.public_access
      }
    }
  }

  client_authentication {
    unauthenticated = false
    sasl {
      iam = true
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = var.kms_key_arn
    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }

  tags = { Name = var.name }
}
