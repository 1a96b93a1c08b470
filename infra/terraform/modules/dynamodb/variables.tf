variable "table_name" {
  description = "Name of the table (the user-migration function reads `StandaloneUserHashes`)."
  type        = string
  default     = "StandaloneUserHashes"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "Table names are 3-255 letters, digits, '_', '.' or '-'."
  }
}

variable "hash_key" {
  description = "Partition key attribute (a string)."
  type        = string
  default     = "email"

  validation {
    condition     = length(var.hash_key) >= 1 && length(var.hash_key) <= 255
    error_message = "Attribute names are 1-255 characters."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the table."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the table until this is turned off."
  type        = bool
  default     = true
}
