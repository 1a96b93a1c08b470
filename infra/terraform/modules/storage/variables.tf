variable "bucket_name" {
  description = "Globally unique name of the data bucket; the access-log bucket is `<name>-access-logs`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,49}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.", var.bucket_name))
    error_message = "Use 3-51 lowercase letters, digits, '.' or '-' (the suffix -access-logs must still fit in 63)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the data bucket and the Athena results."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "data_prefix" {
  description = "Prefix under which the Athena tables' data lives."
  type        = string
  default     = "athena-data/"

  validation {
    condition     = endswith(var.data_prefix, "/") && !startswith(var.data_prefix, "/")
    error_message = "The prefix ends with '/' and does not start with one."
  }
}

variable "athena_workgroup_name" {
  description = "Name of the Athena workgroup."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]{1,128}$", var.athena_workgroup_name))
    error_message = "Workgroup names hold letters, digits, '.', '_' and '-'."
  }
}

variable "glue_database_name" {
  description = "Name of the Glue (Athena) database."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "Athena database names are lowercase letters, digits and '_'."
  }
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query that scans more than this many bytes (about 5 USD per TB scanned)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff_per_query >= 10485760
    error_message = "Athena's smallest cutoff is 10 MB (10485760 bytes)."
  }
}

variable "athena_results_retention_days" {
  description = "Days query results are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.athena_results_retention_days >= 1
    error_message = "Keep results at least one day."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version can still be restored."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days > 30
    error_message = "Keep old versions more than 30 days (they move to Standard-IA at day 30)."
  }
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1
    error_message = "Keep logs at least one day."
  }
}
