data "aws_caller_identity" "current" {}

locals {
  name = "${var.project}-${var.environment}"

  tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  availability_zones = length(var.availability_zones) > 0 ? var.availability_zones : ["${var.region}a", "${var.region}b"]

  bucket_name = coalesce(var.bucket_name, "${local.name}-data-${data.aws_caller_identity.current.account_id}")

  # What every function that writes through GraphQL needs: where Hasura is, and which
  # secret holds the admin secret (read at cold start, never put in the environment).
  hasura_client_environment = {
    HASURA_GRAPHQL_ENDPOINT = var.hasura_graphql_endpoint
    HASURA_ADMIN_SECRET_ARN = module.secrets.hasura_admin_secret_arn
  }

  # Where every function runs and whom its alarms tell (the lambda module's `placement`).
  function_placement = {
    subnet_ids         = module.network.private_subnet_ids
    security_group_ids = [module.network.lambda_security_group_id]
    kms_key_arn        = module.kms.key_arn
    alarm_topic_arns   = [module.alerts.topic_arn]
  }

  read_admin_secret = {
    sid       = "ReadHasuraAdminSecret"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.secrets.hasura_admin_secret_arn]
  }

  # The action and trigger services read the shared secret, and the Momento API key when
  # the timeline cache is on Momento (the list is empty otherwise).
  read_service_secrets = {
    sid       = "ReadServiceSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = concat([module.secrets.action_shared_secret_arn], module.secrets.momento_api_key_arns)
  }

  # Both services reach ElastiCache as its IAM-authenticated user: a token signed by their
  # role, no password anywhere.
  connect_to_redis = {
    sid       = "ConnectToRedisWithIam"
    actions   = ["elasticache:Connect"]
    resources = [module.redis.service_user.replication_group_arn, module.redis.service_user.user_arn]
  }

  # Where both services find the timeline cache (seed 004): the ElastiCache URL, or Momento.
  timeline_cache_environment = {
    TIMELINE_CACHE      = var.timeline_cache
    REDIS_URL           = module.redis.url
    MOMENTO_API_KEY_ARN = try(module.secrets.momento_api_key_arns[0], "")
    MOMENTO_ENDPOINT    = var.momento_endpoint
    MOMENTO_CACHE_NAME  = var.momento_cache_name
  }
}

# ---------------------------------------------------------------------------------------
# Generated secrets. Ephemeral: they exist only during a run and are sent to AWS through
# write-only arguments, so neither the plan nor the state file ever holds them. A new
# value is written only when the matching *_version variable is increased.
# ---------------------------------------------------------------------------------------

ephemeral "aws_secretsmanager_random_password" "database" {
  password_length = 40
  # URL- and shell-safe: the password travels inside a connection URL.
  exclude_punctuation = true
}

ephemeral "aws_secretsmanager_random_password" "hasura_admin_secret" {
  password_length     = 48
  exclude_punctuation = true
}

ephemeral "aws_secretsmanager_random_password" "action_shared_secret" {
  password_length     = 48
  exclude_punctuation = true
}

# ---------------------------------------------------------------------------------------
# Foundations
# ---------------------------------------------------------------------------------------

module "kms" {
  source = "../../modules/kms"

  name = local.name
}

module "alerts" {
  source = "../../modules/alerts"

  name        = "${local.name}-alerts"
  kms_key_arn = module.kms.key_arn
  emails      = length(var.alert_emails) > 0 ? var.alert_emails : var.billing_notification_emails
}

module "network" {
  source = "../../modules/network"

  name               = local.name
  availability_zones = local.availability_zones
  cidr_block         = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = module.kms.key_arn
}

module "storage" {
  source = "../../modules/storage"

  bucket_name           = local.bucket_name
  kms_key_arn           = module.kms.key_arn
  athena_workgroup_name = local.name
  glue_database_name    = replace("${local.name}_analytics", "-", "_")
}

module "user_hashes" {
  source = "../../modules/dynamodb"

  table_name  = "StandaloneUserHashes"
  hash_key    = "email"
  kms_key_arn = module.kms.key_arn
}

module "rds" {
  source = "../../modules/rds"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.network.lambda_security_group_id]
  hasura_egress_cidrs        = var.hasura_egress_cidrs
  instance_class             = var.db_instance_class
  multi_az                   = var.db_multi_az
  kms_key_arn                = module.kms.key_arn

  master_password         = ephemeral.aws_secretsmanager_random_password.database.random_password
  master_password_version = var.database_password_version
}

# Rate-limit counters of the action service, and the home timeline cache (seed 004) unless
# timeline_cache is momento.
module "redis" {
  source = "../../modules/redis"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.network.lambda_security_group_id]
  node_type                  = var.redis_node_type
  multi_az                   = var.redis_multi_az
  kms_key_arn                = module.kms.key_arn
}

module "secrets" {
  source = "../../modules/secrets"

  name_prefix = local.name
  kms_key_arn = module.kms.key_arn

  hasura_admin_secret          = ephemeral.aws_secretsmanager_random_password.hasura_admin_secret.random_password
  hasura_admin_secret_version  = var.hasura_admin_secret_version
  action_shared_secret         = ephemeral.aws_secretsmanager_random_password.action_shared_secret.random_password
  action_shared_secret_version = var.action_shared_secret_version

  database = {
    host     = module.rds.address
    port     = module.rds.port
    name     = module.rds.database_name
    username = module.rds.master_username
  }
  database_password         = ephemeral.aws_secretsmanager_random_password.database.random_password
  database_password_version = var.database_password_version

  momento_api_key_enabled = var.timeline_cache == "momento"
  momento_api_key         = var.momento_api_key
  momento_api_key_version = var.momento_api_key_version

  cognito = {
    region        = module.cognito.region
    user_pool_id  = module.cognito.user_pool_id
    app_client_id = module.cognito.app_client_id
    issuer        = module.cognito.issuer
    jwks_url      = module.cognito.jwks_url
  }
}

# ---------------------------------------------------------------------------------------
# Functions. Three instances of one module, split by who calls them, so that no function
# depends on a resource that depends on it: Cognito needs the trigger functions, and the
# action service needs Cognito's ids.
# ---------------------------------------------------------------------------------------

module "cognito_triggers" {
  source = "../../modules/lambda"

  name_prefix = local.name
  image       = var.lambdas_image
  placement   = local.function_placement

  functions = {
    post_confirmation = {
      description       = "Cognito post-confirmation: writes the new user through GraphQL."
      handler           = "lambdas.post_confirmation.handler.handler"
      environment       = local.hasura_client_environment
      policy_statements = [local.read_admin_secret]
    }

    # Pure function of the event (groups in, claims out): no permissions beyond logs.
    pre_token_generation = {
      description = "Cognito pre-token-generation (v1): adds Hasura claims to the ID token."
      handler     = "lambdas.pre_token_generation.handler.handler"
    }

    post_authentication = {
      description       = "Cognito post-authentication: records the sign-in through GraphQL."
      handler           = "lambdas.post_authentication.handler.handler"
      environment       = local.hasura_client_environment
      policy_statements = [local.read_admin_secret]
    }

    user_migration = {
      description = "Cognito user migration: verifies a legacy password hash from DynamoDB."
      handler     = "lambdas.user_migration.handler.handler"
      # Hash verification (bcrypt/argon2) is CPU-bound; more memory buys more CPU.
      memory_size = 512
      environment = {
        USER_HASHES_TABLE = module.user_hashes.table_name
      }
      # GetItem reads the staged hash; UpdateItem removes it once the user is in Cognito.
      policy_statements = [{
        sid       = "ReadLegacyUserHash"
        actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
        resources = [module.user_hashes.table_arn]
      }]
    }
  }
}

module "jobs" {
  source = "../../modules/lambda"

  name_prefix = "${local.name}-jobs"
  image       = var.lambdas_image
  placement   = local.function_placement

  functions = {
    coinbase_prices = {
      description = "Every minute (Hasura cron trigger): fetches Coinbase prices and stores them through GraphQL."
      handler     = "lambdas.coinbase_prices.handler.handler"
      timeout     = 30
      # One run at a time: a slow minute must not overlap the next one.
      reserved_concurrency = 1
      environment          = local.hasura_client_environment
      policy_statements    = [local.read_admin_secret]
    }
  }
}

module "services" {
  source = "../../modules/lambda"

  name_prefix = "${local.name}-svc"
  image       = var.service_image
  placement   = local.function_placement

  functions = {
    # In front of both APIs: a request without the shared-secret header never reaches them.
    gateway_authorizer = {
      description          = "API Gateway REQUEST authorizer of the action and trigger APIs: checks the shared-secret header."
      handler              = "actions.gateway_authorizer.handler"
      memory_size          = 128
      timeout              = 5
      reserved_concurrency = 10
      environment = {
        ACTION_SHARED_SECRET_ARN = module.secrets.action_shared_secret_arn
      }
      policy_statements = [{
        sid       = "ReadSharedSecret"
        actions   = ["secretsmanager:GetSecretValue"]
        resources = [module.secrets.action_shared_secret_arn]
      }]
    }

    actions = {
      description          = "Hasura actions (Starlette through Mangum)."
      handler              = "actions.lambda_handler.handler"
      memory_size          = 512
      timeout              = 28
      reserved_concurrency = 20
      environment = {
        ACTION_SHARED_SECRET_ARN   = module.secrets.action_shared_secret_arn
        COGNITO_REGION             = module.cognito.region
        COGNITO_USER_POOL_ID       = module.cognito.user_pool_id
        COGNITO_APP_CLIENT_ID      = module.cognito.app_client_id
        REDIS_URL                  = module.redis.url
        REDIS_IAM_USER             = module.redis.service_user.user_id
        REDIS_REPLICATION_GROUP_ID = module.redis.replication_group_id
        # homeTimeline reads posts through Hasura as the anonymous role (no secret needed).
        HASURA_GRAPHQL_ENDPOINT    = var.hasura_graphql_endpoint
        TIMELINE_CACHE             = local.timeline_cache_environment.TIMELINE_CACHE
        TIMELINE_CACHE_TTL_SECONDS = var.timeline_cache_ttl_seconds
        MOMENTO_API_KEY_ARN        = local.timeline_cache_environment.MOMENTO_API_KEY_ARN
        MOMENTO_ENDPOINT           = local.timeline_cache_environment.MOMENTO_ENDPOINT
        MOMENTO_CACHE_NAME         = local.timeline_cache_environment.MOMENTO_CACHE_NAME
        # placeBid mirrors prices and schedules closes through Hasura as admin (seed 003).
        HASURA_ADMIN_SECRET_ARN = module.secrets.hasura_admin_secret_arn
        BID_QUEUE_NAME          = module.auctions.queues["bids"].name
        NOTIFICATION_QUEUE_NAME = module.auctions.queues["notifications"].name
        DYNAMODB_BIDS_TABLE     = module.auctions.bids_table_name
      }
      policy_statements = [
        local.read_service_secrets,
        local.read_admin_secret,
        local.connect_to_redis,
        {
          # `logout` signs the caller out of every session.
          sid       = "SignOutEverywhere"
          actions   = ["cognito-idp:AdminUserGlobalSignOut"]
          resources = [module.cognito.user_pool_arn]
        },
        {
          # placeBid forwards accepted bids and outbid notices.
          sid       = "SendAuctionMessages"
          actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
          resources = [module.auctions.queues["bids"].arn, module.auctions.queues["notifications"].arn]
        },
        {
          # auctionBids and myBids (through the GSI).
          sid       = "ReadBidHistory"
          actions   = ["dynamodb:Query"]
          resources = [module.auctions.bids_table_arn, "${module.auctions.bids_table_arn}/index/user_id-timestamp-index"]
        },
      ]
    }

    triggers = {
      description          = "Hasura event and cron triggers (Starlette through Mangum)."
      handler              = "triggers.lambda_handler.handler"
      timeout              = 28
      reserved_concurrency = 10
      environment = {
        ACTION_SHARED_SECRET_ARN = module.secrets.action_shared_secret_arn
        COINBASE_FUNCTION_NAME   = module.jobs.functions["coinbase_prices"].name
        # New and deleted posts invalidate the timeline cache; the expiry sweep deletes
        # expired posts through Hasura as admin.
        HASURA_GRAPHQL_ENDPOINT    = var.hasura_graphql_endpoint
        HASURA_ADMIN_SECRET_ARN    = module.secrets.hasura_admin_secret_arn
        TIMELINE_CACHE             = local.timeline_cache_environment.TIMELINE_CACHE
        REDIS_URL                  = local.timeline_cache_environment.REDIS_URL
        REDIS_IAM_USER             = module.redis.service_user.user_id
        REDIS_REPLICATION_GROUP_ID = module.redis.replication_group_id
        MOMENTO_API_KEY_ARN        = local.timeline_cache_environment.MOMENTO_API_KEY_ARN
        MOMENTO_ENDPOINT           = local.timeline_cache_environment.MOMENTO_ENDPOINT
        MOMENTO_CACHE_NAME         = local.timeline_cache_environment.MOMENTO_CACHE_NAME
        BID_QUEUE_NAME             = module.auctions.queues["bids"].name
        NOTIFICATION_QUEUE_NAME    = module.auctions.queues["notifications"].name
        # The daily price archive (Parquet per day, read by Athena).
        PRICE_ARCHIVE_BUCKET      = module.storage.bucket_name
        PRICE_ARCHIVE_DATA_PREFIX = module.storage.data_prefix
      }
      policy_statements = [
        local.read_service_secrets,
        local.read_admin_secret,
        local.connect_to_redis,
        {
          # Writes only under the archive table's prefix, encrypted with the project key.
          sid       = "WritePriceArchive"
          actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
          resources = ["${module.storage.bucket_arn}/${module.storage.data_prefix}${module.storage.price_archive_prefix}*"]
        },
        {
          sid       = "EncryptPriceArchive"
          actions   = ["kms:GenerateDataKey"]
          resources = [module.kms.key_arn]
        },
        {
          sid       = "InvokeCoinbasePrices"
          actions   = ["lambda:InvokeFunction"]
          resources = [module.jobs.functions["coinbase_prices"].arn]
        },
        {
          # One IVS channel per auction: created on insert, its stream stopped at close.
          sid       = "AuctionChannels"
          actions   = ["ivs:CreateChannel", "ivs:GetChannel", "ivs:StopStream", "ivs:TagResource"]
          resources = ["arn:aws:ivs:${var.region}:${data.aws_caller_identity.current.account_id}:channel/*"]
        },
        {
          # Winner and seller notices when an auction closes.
          sid       = "SendAuctionNotices"
          actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
          resources = [module.auctions.queues["notifications"].arn]
        },
      ]
    }

    # The credit-history remote schema (seed 000's data joins): Athena over the data prefix.
    credit_history = {
      description          = "Credit-history GraphQL service over Athena (strawberry through Mangum)."
      handler              = "credit_history.lambda_handler.handler"
      memory_size          = 512
      timeout              = 28
      reserved_concurrency = 10
      environment = {
        CREDIT_HISTORY_BACKEND       = "athena"
        ATHENA_WORKGROUP             = module.storage.athena_workgroup_name
        ATHENA_DATABASE              = module.storage.glue_database_name
        ATHENA_QUERY_TIMEOUT_SECONDS = "20"
        ACTION_SHARED_SECRET_ARN     = module.secrets.action_shared_secret_arn
      }
      policy_statements = [
        {
          sid       = "ReadSharedSecret"
          actions   = ["secretsmanager:GetSecretValue"]
          resources = [module.secrets.action_shared_secret_arn]
        },
        {
          # StopQueryExecution ends a query the service stopped waiting for (its timeout).
          sid       = "RunAthenaQueries"
          actions   = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution"]
          resources = [module.storage.athena_workgroup_arn]
        },
        {
          # Athena resolves the table through Glue as the caller (GetDatabase first).
          sid     = "ReadCatalog"
          actions = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"]
          resources = [
            "arn:aws:glue:${var.region}:${data.aws_caller_identity.current.account_id}:catalog",
            "arn:aws:glue:${var.region}:${data.aws_caller_identity.current.account_id}:database/${module.storage.glue_database_name}",
            "arn:aws:glue:${var.region}:${data.aws_caller_identity.current.account_id}:table/${module.storage.glue_database_name}/${module.storage.credit_reports_table_name}",
            "arn:aws:glue:${var.region}:${data.aws_caller_identity.current.account_id}:table/${module.storage.glue_database_name}/${module.storage.price_archive_table_name}",
          ]
        },
        {
          sid       = "ReadData"
          actions   = ["s3:GetObject"]
          resources = ["${module.storage.bucket_arn}/${module.storage.data_prefix}*"]
        },
        {
          # Athena lists the table's location and checks the bucket's region as the caller.
          sid       = "ListDataBucket"
          actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
          resources = [module.storage.bucket_arn]
        },
        {
          # Query results: the only prefix the service writes (the workgroup enforces it).
          sid       = "WriteQueryResults"
          actions   = ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
          resources = ["${module.storage.bucket_arn}/${module.storage.athena_results_prefix}*"]
        },
        {
          # The bucket and the results are SSE-KMS with the project key.
          sid       = "EncryptQueryResults"
          actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
          resources = [module.kms.key_arn]
        },
      ]
    }
  }
}

# ---------------------------------------------------------------------------------------
# Live auctions (seed 003): FIFO queues -> Lambdas -> DynamoDB / GraphQL
# ---------------------------------------------------------------------------------------

module "auction_consumers" {
  source = "../../modules/lambda"

  name_prefix = "${local.name}-auc"
  image       = var.lambdas_image
  placement   = local.function_placement

  functions = {
    bid_persistence = {
      description          = "Bid queue (FIFO, batches of 10) -> bids_history, conditional puts."
      handler              = "lambdas.bid_persistence.handler.handler"
      timeout              = 30
      reserved_concurrency = 10
      environment = {
        DYNAMODB_BIDS_TABLE  = module.auctions.bids_table_name
        BID_HISTORY_TTL_DAYS = "90"
      }
      policy_statements = [
        {
          sid       = "ConsumeBidQueue"
          actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
          resources = [module.auctions.queues["bids"].arn]
        },
        {
          sid       = "WriteBidHistory"
          actions   = ["dynamodb:PutItem"]
          resources = [module.auctions.bids_table_arn]
        },
      ]
    }

    auction_notifications = {
      description          = "Notification queue (FIFO) -> notifications rows through GraphQL (email via SNS when set)."
      handler              = "lambdas.auction_notifications.handler.handler"
      timeout              = 30
      reserved_concurrency = 5
      environment          = local.hasura_client_environment
      policy_statements = [
        local.read_admin_secret,
        {
          sid       = "ConsumeNotificationQueue"
          actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
          resources = [module.auctions.queues["notifications"].arn]
        },
      ]
    }
  }
}

module "auctions" {
  source = "../../modules/auctions"

  name_prefix                  = local.name
  kms_key_arn                  = module.kms.key_arn
  bid_persistence_function_arn = module.auction_consumers.functions["bid_persistence"].arn
  notifications_function_arn   = module.auction_consumers.functions["auction_notifications"].arn
  alarm_topic_arns             = [module.alerts.topic_arn]
}

# ---------------------------------------------------------------------------------------
# Identity and HTTP entry points
# ---------------------------------------------------------------------------------------

module "cognito" {
  source = "../../modules/cognito"

  name = local.name

  lambda_triggers = {
    pre_token_generation = {
      function_name = module.cognito_triggers.functions["pre_token_generation"].name
      arn           = module.cognito_triggers.functions["pre_token_generation"].arn
    }
    post_confirmation = {
      function_name = module.cognito_triggers.functions["post_confirmation"].name
      arn           = module.cognito_triggers.functions["post_confirmation"].arn
    }
    post_authentication = {
      function_name = module.cognito_triggers.functions["post_authentication"].name
      arn           = module.cognito_triggers.functions["post_authentication"].arn
    }
    user_migration = {
      function_name = module.cognito_triggers.functions["user_migration"].name
      arn           = module.cognito_triggers.functions["user_migration"].arn
    }
  }
}

locals {
  gateway_authorizer = {
    function_name = module.services.functions["gateway_authorizer"].name
    invoke_arn    = module.services.functions["gateway_authorizer"].invoke_arn
  }
}

module "actions_api" {
  source = "../../modules/api"

  name                 = "${local.name}-actions"
  description          = "Hasura actions: ACTIONS_BASE_URL."
  lambda_function_name = module.services.functions["actions"].name
  lambda_invoke_arn    = module.services.functions["actions"].invoke_arn
  authorizer           = local.gateway_authorizer
  domain               = var.domain
  service_subdomain    = var.service_subdomain
  kms_key_arn          = module.kms.key_arn
}

module "credit_history_api" {
  source = "../../modules/api"

  name                 = "${local.name}-credit-history"
  description          = "Credit-history remote schema: CREDIT_HISTORY_URL (add /graphql)."
  lambda_function_name = module.services.functions["credit_history"].name
  lambda_invoke_arn    = module.services.functions["credit_history"].invoke_arn
  authorizer           = local.gateway_authorizer
  kms_key_arn          = module.kms.key_arn
}

module "triggers_api" {
  source = "../../modules/api"

  name                 = "${local.name}-triggers"
  description          = "Hasura event and cron triggers: EVENT_TRIGGER_URL."
  lambda_function_name = module.services.functions["triggers"].name
  lambda_invoke_arn    = module.services.functions["triggers"].invoke_arn
  authorizer           = local.gateway_authorizer
  kms_key_arn          = module.kms.key_arn
}

# ---------------------------------------------------------------------------------------
# Cost guardrails and administrator hygiene
# ---------------------------------------------------------------------------------------

module "billing" {
  source = "../../modules/billing"

  providers = {
    aws = aws.us_east_1
  }

  name                        = local.name
  notification_emails         = var.billing_notification_emails
  billing_alarm_threshold_usd = var.billing_alarm_threshold_usd
  monthly_budget_usd          = var.monthly_budget_usd
  admin_user_names            = var.admin_user_names
}
