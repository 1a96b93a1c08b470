locals {
  hasura_jwt_secret = jsonencode({
    jwk_url       = module.cognito.jwks_url
    issuer        = module.cognito.issuer
    audience      = module.cognito.app_client_id
    claims_format = "stringified_json"
  })
}

output "hasura_cloud_env" {
  description = "Environment variables to set on the Hasura Cloud project that hold no secret (see infra/README.md)."
  value = {
    HASURA_GRAPHQL_JWT_SECRET = local.hasura_jwt_secret
    ACTIONS_BASE_URL          = module.actions_api.base_url
    TRIGGERS_BASE_URL         = module.triggers_api.base_url
    EVENT_TRIGGER_URL         = coalesce(var.event_trigger_url, "${module.triggers_api.base_url}/echo")
    CREDIT_HISTORY_URL        = "${module.credit_history_api.base_url}/graphql"
    # The remote schema's permissions (remote_schemas.yaml) only hold with this on.
    HASURA_GRAPHQL_ENABLE_REMOTE_SCHEMA_PERMISSIONS = "true"
  }
}

output "hasura_cloud_secret_arns" {
  description = "Hasura Cloud environment variables whose values live in Secrets Manager, by variable name; Terraform never holds the values."
  value = {
    HASURA_GRAPHQL_DATABASE_URL = module.secrets.database_url_arn
    HASURA_GRAPHQL_ADMIN_SECRET = module.secrets.hasura_admin_secret_arn
    ACTION_SHARED_SECRET        = module.secrets.action_shared_secret_arn
  }
}

output "lambda_image_uri" {
  description = "Image of the functions in lambdas/, as repository@digest."
  value       = module.cognito_triggers.lambda_image_uri
}

output "service_image_uri" {
  description = "Image of the action and trigger services, as repository@digest."
  value       = module.services.lambda_image_uri
}

output "function_names" {
  description = "Lambda function name by key."
  value = merge(
    { for k, f in module.cognito_triggers.functions : k => f.name },
    { for k, f in module.jobs.functions : k => f.name },
    { for k, f in module.services.functions : k => f.name },
  )
}

output "cognito" {
  description = "User pool and app client identifiers."
  value = {
    region        = module.cognito.region
    user_pool_id  = module.cognito.user_pool_id
    app_client_id = module.cognito.app_client_id
    issuer        = module.cognito.issuer
    jwks_url      = module.cognito.jwks_url
  }
}

output "database_endpoint" {
  description = "Host and port of the database (private)."
  value       = "${module.rds.address}:${module.rds.port}"
}

output "data_bucket" {
  description = "Name of the data bucket."
  value       = module.storage.bucket_name
}

output "athena" {
  description = "Athena workgroup, database and results location."
  value = {
    workgroup        = module.storage.athena_workgroup_name
    database         = module.storage.glue_database_name
    results_location = module.storage.athena_results_location
  }
}

output "nat_public_ips" {
  description = "Addresses the functions' outbound traffic comes from."
  value       = module.network.nat_public_ips
}

output "legacy_msk_bootstrap_brokers_public_iam" {
  description = "KAFKA_BOOTSTRAP_SERVERS of `devstack legacy produce --auth msk-iam` (once public access is on)."
  value       = module.msk.bootstrap_brokers_public_iam
}

output "legacy_loader_failures_queue_url" {
  description = "Malformed legacy records and loader batches that kept failing."
  value       = aws_sqs_queue.legacy_loader_failures.url
}
