variable "name_prefix" {
  description = "Prefix of every secret name (for example `hasura-core-dev`); secrets are named `<prefix>/<purpose>`."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_+=.@-]{1,200}$", var.name_prefix))
    error_message = "Secrets Manager names allow letters, digits and /_+=.@-."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts every secret."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored; 0 deletes at once (only for throw-away environments)."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "Secrets Manager accepts 0 or 7 to 30 days."
  }
}

variable "hasura_admin_secret" {
  description = "Hasura admin secret; ephemeral, written write-only."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "hasura_admin_secret_version" {
  description = "Increase to write a new Hasura admin secret (then update Hasura Cloud)."
  type        = number
  default     = 1

  validation {
    condition     = var.hasura_admin_secret_version >= 1
    error_message = "Versions start at 1."
  }
}

variable "action_shared_secret" {
  description = "Shared secret between Hasura and the action/trigger services; ephemeral, written write-only."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "action_shared_secret_version" {
  description = "Increase to write a new action shared secret (then update Hasura Cloud)."
  type        = number
  default     = 1

  validation {
    condition     = var.action_shared_secret_version >= 1
    error_message = "Versions start at 1."
  }
}

variable "database" {
  description = "Where the database listens and who Hasura connects as (from the rds module's outputs)."
  type = object({
    host     = string
    port     = number
    name     = string
    username = string
  })
}

variable "database_password" {
  description = "Password embedded in the database URL; the same ephemeral value the rds module writes."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "database_password_version" {
  description = "Must equal the rds module's `master_password_version`, so URL and password change together."
  type        = number
  default     = 1

  validation {
    condition     = var.database_password_version >= 1
    error_message = "Versions start at 1."
  }
}

variable "cognito" {
  description = "Cognito identifiers (from the cognito module's outputs)."
  type = object({
    region        = string
    user_pool_id  = string
    app_client_id = string
    issuer        = string
    jwks_url      = string
  })
}

variable "momento_api_key_enabled" {
  description = "Create the Momento API key secret (when the timeline cache is on Momento)."
  type        = bool
  default     = false
}

variable "momento_api_key" {
  description = "Momento v2 API key; ephemeral, written write-only. Needed on the apply that creates the secret or raises momento_api_key_version."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "momento_api_key_version" {
  description = "Increase to write a new Momento API key."
  type        = number
  default     = 1

  validation {
    condition     = var.momento_api_key_version >= 1
    error_message = "Versions start at 1."
  }
}
