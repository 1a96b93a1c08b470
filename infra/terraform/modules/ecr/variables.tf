variable "repository_names" {
  description = "Names of the ECR repositories to create."
  type        = list(string)

  validation {
    condition     = length(var.repository_names) > 0 && alltrue([for n in var.repository_names : can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", n))])
    error_message = "Give at least one name; ECR names are lowercase with '.', '_', '-' or '/' separators."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the images; null uses the AWS-managed `aws/ecr` key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key, or null."
  }
}

variable "keep_images" {
  description = "How many images to keep per repository (rollback depth)."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_images >= 5
    error_message = "Keep at least 5 images so rollbacks stay possible."
  }
}
