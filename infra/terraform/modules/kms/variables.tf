variable "name" {
  description = "Alias of the key, without the `alias/` prefix (for example `hasura-core-dev`)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "The alias may hold letters, digits, '/', '_' and '-', and must not start with 'aws/'."
  }
}

variable "description" {
  description = "Human-readable purpose of the key, shown in the KMS console."
  type        = string
  default     = "Encrypts the data stores, logs and secrets of the Hasura backend."
}

variable "rotation_period_in_days" {
  description = "How often KMS rotates the key material, in days."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "KMS accepts a rotation period between 90 and 2560 days."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion takes effect; the longer, the more time to notice a mistake."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "KMS accepts a deletion window between 7 and 30 days."
  }
}
