variable "region" {
  description = "AWS region of the repositories; the same as the environments'."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "Give a region code such as eu-west-1."
  }
}

variable "project" {
  description = "Project name; repositories are `<project>-lambdas` and `<project>-service`."
  type        = string
  default     = "hasura-core"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,15}$", var.project))
    error_message = "Use 2-16 lowercase letters, digits or '-', starting with a letter."
  }
}
