variable "name" {
  description = "Name of the SNS topic (for example `hasura-core-dev-alerts`)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,256}$", var.name))
    error_message = "Topic names hold letters, digits, '_' and '-'."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the topic; its policy must let cloudwatch.amazonaws.com use it (the kms module's does)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "emails" {
  description = "Addresses subscribed to the alarms."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Give email addresses."
  }
}
