# ---------------------------------------------------------------------------------------
# Legacy user migration (seed 002): producer (a developer's machine) → MSK → loader Lambda
# → DynamoDB StandaloneUserHashes → user-migration trigger at login.
# ---------------------------------------------------------------------------------------

locals {
  legacy_topic          = "legacy-user-hashes"
  legacy_consumer_group = "legacy-loader"
  msk_account_prefix    = "arn:${data.aws_partition.current.partition}:kafka:${var.region}:${data.aws_caller_identity.current.account_id}"
  # IAM access control names topics and groups by cluster name and UUID.
  msk_topic_arn = "${local.msk_account_prefix}:topic/${module.msk.cluster_name}/${module.msk.cluster_uuid}/${local.legacy_topic}"
  msk_group_arn = "${local.msk_account_prefix}:group/${module.msk.cluster_name}/${module.msk.cluster_uuid}/${local.legacy_consumer_group}"
}

data "aws_partition" "current" {}

module "msk" {
  source = "../../modules/msk"

  name   = "${local.name}-legacy"
  vpc_id = module.network.vpc_id
  # Public subnets with public access, as the seed asks: the producer runs outside AWS.
  subnet_ids                = module.network.public_subnet_ids
  producer_cidrs            = var.legacy_producer_cidrs
  client_security_group_ids = [module.network.lambda_security_group_id]
  public_access             = var.msk_public_access
  kms_key_arn               = module.kms.key_arn
}

# Malformed records (sent by the loader) and batches the mapping gave up on (its
# on-failure destination): both wait here for an operator, encrypted, for 14 days.
resource "aws_sqs_queue" "legacy_loader_failures" {
  name                              = "${local.name}-legacy-loader-failures"
  message_retention_seconds         = 1209600
  kms_master_key_id                 = module.kms.key_arn
  kms_data_key_reuse_period_seconds = 3600
}

module "legacy_pipe" {
  source = "../../modules/lambda"

  name_prefix = "${local.name}-legacy"
  image       = var.lambdas_image
  placement   = local.function_placement

  functions = {
    legacy_loader = {
      description = "MSK legacy-user-hashes → DynamoDB StandaloneUserHashes (versioned, idempotent)."
      handler     = "lambdas.legacy_loader.handler.handler"
      timeout     = 60
      # One poller per partition at most; more would only contend on the table.
      reserved_concurrency = 3
      environment = {
        USER_HASHES_TABLE = module.user_hashes.table_name
        LOADER_DLQ_URL    = aws_sqs_queue.legacy_loader_failures.url
      }
      policy_statements = [
        {
          sid       = "ConnectToCluster"
          actions   = ["kafka-cluster:Connect", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"]
          resources = [module.msk.cluster_arn]
        },
        {
          sid       = "ReadTopic"
          actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
          resources = [local.msk_topic_arn]
        },
        {
          sid       = "UseConsumerGroup"
          actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
          resources = [local.msk_group_arn]
        },
        {
          sid       = "StageUserHashes"
          actions   = ["dynamodb:PutItem"]
          resources = [module.user_hashes.table_arn]
        },
        {
          sid       = "SendFailures"
          actions   = ["sqs:SendMessage"]
          resources = [aws_sqs_queue.legacy_loader_failures.arn]
        },
        {
          # Messages to the KMS-encrypted failure queue need a data key.
          sid       = "EncryptFailures"
          actions   = ["kms:GenerateDataKey"]
          resources = [module.kms.key_arn]
        },
      ]
    }
  }
}

# The MSK mapping polls from inside the VPC as the function's role and must see the
# subnets and security groups it connects through; EC2's Describe actions have no
# resource-level permissions, hence "*" (read-only, on descriptions).
data "aws_iam_policy_document" "legacy_loader_vpc_describe" {
  statement {
    sid       = "DescribeClusterNetwork"
    actions   = ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "legacy_loader_vpc_describe" {
  name   = "describe-cluster-network"
  role   = module.legacy_pipe.functions["legacy_loader"].role_name
  policy = data.aws_iam_policy_document.legacy_loader_vpc_describe.json
}

resource "aws_lambda_event_source_mapping" "legacy_loader" {
  event_source_arn  = module.msk.cluster_arn
  function_name     = module.legacy_pipe.functions["legacy_loader"].arn
  topics            = [local.legacy_topic]
  starting_position = "TRIM_HORIZON"
  batch_size        = 100
  # Fill batches for up to a second rather than invoking per record during a bulk load.
  maximum_batching_window_in_seconds = 1

  amazon_managed_kafka_event_source_config {
    consumer_group_id = local.legacy_consumer_group
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.legacy_loader_failures.arn
    }
  }

  depends_on = [aws_iam_role_policy.legacy_loader_vpc_describe]
}
