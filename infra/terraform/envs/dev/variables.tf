variable "region" {
  description = "AWS region of the system (billing resources always go to us-east-1)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "Give a region code such as eu-west-1."
  }
}

variable "project" {
  description = "Project name, first part of every resource name."
  type        = string
  default     = "hasura-core"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.project))
    error_message = "Use 2-16 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, second part of every resource name."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.environment))
    error_message = "Use 2-8 lowercase letters or digits, starting with a letter."
  }
}

variable "domain" {
  description = "Route 53 public zone for the action service's custom domain; empty keeps the execute-api URL."
  type        = string
  default     = ""
}

variable "service_subdomain" {
  description = "Label in front of `domain` for the action service (for example `api`)."
  type        = string
  default     = ""
}

variable "hasura_graphql_endpoint" {
  description = "GraphQL endpoint of the Hasura Cloud project, which the functions call (https://<project>.hasura.app/v1/graphql)."
  type        = string

  validation {
    condition     = can(regex("^https://[^\\s/]+(/[^\\s]*)?$", var.hasura_graphql_endpoint))
    error_message = "Give an https:// URL."
  }
}

variable "event_trigger_url" {
  description = "Webhook of the users table's event trigger (EVENT_TRIGGER_URL); null uses the trigger service's /echo."
  type        = string
  default     = null

  validation {
    condition     = var.event_trigger_url == null || can(regex("^https://", var.event_trigger_url))
    error_message = "Give an https:// URL, or null."
  }
}

variable "hasura_egress_cidrs" {
  description = "CIDRs Hasura Cloud reaches the database from over a private path (VPC peering); empty allows the functions only."
  type        = list(string)
  default     = []
}

variable "availability_zones" {
  description = "Zones for the subnets; empty uses the region's zones a and b."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both AZs: cheaper, less available."
  type        = bool
  default     = true
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_multi_az" {
  description = "Keep a standby database in a second AZ."
  type        = bool
  default     = true
}

variable "redis_node_type" {
  description = "ElastiCache node type for the action service's rate limits and the timeline cache."
  type        = string
  default     = "cache.t4g.micro"
}

variable "redis_multi_az" {
  description = "Keep a Redis replica in a second AZ."
  type        = bool
  default     = true
}

variable "timeline_cache" {
  description = "Where homeTimeline caches pages (seed 004): `redis` (the ElastiCache cluster above) or `momento` (API key in Secrets Manager)."
  type        = string
  default     = "redis"

  validation {
    condition     = contains(["redis", "momento"], var.timeline_cache)
    error_message = "Use redis or momento."
  }
}

variable "timeline_cache_ttl_seconds" {
  description = "Longest a cached timeline page lives, in seconds; the earliest expiry of its posts can cut it shorter."
  type        = number
  default     = 60

  validation {
    condition     = var.timeline_cache_ttl_seconds > 0 && var.timeline_cache_ttl_seconds <= 3600
    error_message = "Use 1 to 3600 seconds."
  }
}

variable "momento_endpoint" {
  description = "Momento endpoint of the API key's region (for example `cell-us-east-1-1.prod.a.momentohq.com`); used when timeline_cache is momento."
  type        = string
  default     = ""
}

variable "momento_cache_name" {
  description = "Momento cache holding the timeline (created in Momento, outside Terraform)."
  type        = string
  default     = "timeline"
}

variable "momento_api_key" {
  description = "Momento v2 API key (TF_VAR_momento_api_key); ephemeral, never in state. Give it on the apply that creates the secret or raises momento_api_key_version."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "momento_api_key_version" {
  description = "Increase to write a new Momento API key into Secrets Manager."
  type        = number
  default     = 1
}

variable "bucket_name" {
  description = "Name of the data bucket; null derives `<project>-<environment>-data-<account id>`."
  type        = string
  default     = null
}

variable "lambdas_image" {
  description = "Image of the functions in lambdas/: ECR repository and a tag (`container_ver`) or a pinned digest (`container_digest`)."
  type = object({
    ecr_repository   = string
    container_ver    = optional(string)
    container_digest = optional(string)
  })
}

variable "service_image" {
  description = "Image of the action and trigger services: ECR repository and a tag (`container_ver`) or a pinned digest (`container_digest`)."
  type = object({
    ecr_repository   = string
    container_ver    = optional(string)
    container_digest = optional(string)
  })
}

variable "database_password_version" {
  description = "Increase to generate a new database password (RDS and the database URL secret change together)."
  type        = number
  default     = 1
}

variable "hasura_admin_secret_version" {
  description = "Increase to generate a new Hasura admin secret (then update Hasura Cloud)."
  type        = number
  default     = 1
}

variable "action_shared_secret_version" {
  description = "Increase to generate a new action shared secret (then update Hasura Cloud)."
  type        = number
  default     = 1
}

variable "billing_notification_emails" {
  description = "Addresses for the billing alarm and budget notifications."
  type        = list(string)
}

variable "alert_emails" {
  description = "Addresses for operational alarms (dead letters, function errors); empty uses billing_notification_emails."
  type        = list(string)
  default     = []
}

variable "billing_alarm_threshold_usd" {
  description = "Estimated monthly charges, in USD, that raise the billing alarm."
  type        = number
  default     = 50
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget, in USD."
  type        = number
  default     = 100
}

variable "admin_user_names" {
  description = "Existing IAM users to put in the MFA-enforced admins group."
  type        = list(string)
  default     = []
}

variable "legacy_producer_cidrs" {
  description = "CIDRs of the machines that run the legacy producer (MSK public IAM port 9198), e.g. [\"203.0.113.7/32\"]."
  type        = list(string)
  default     = []
}

variable "msk_public_access" {
  description = "MSK public access: DISABLED on the first apply (AWS refuses it at creation), then SERVICE_PROVIDED_EIPS."
  type        = string
  default     = "DISABLED"
}
