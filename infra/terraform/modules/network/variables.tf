variable "name" {
  description = "Name prefix for the VPC and everything in it (for example `hasura-core-dev`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "Use 2-41 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 range of the VPC; a /16 leaves room for the /24 subnets this module carves."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && tonumber(split("/", var.cidr_block)[1]) <= 20
    error_message = "Give a valid IPv4 CIDR of /20 or larger."
  }
}

variable "availability_zones" {
  description = "Availability zones for the subnets, by name (for example [\"eu-west-1a\", \"eu-west-1b\"])."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "Give two or three distinct zones: RDS needs two, and this module carves at most three."
  }
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway between all private subnets: cheaper (about 32 USD a month per gateway), but egress stops if its AZ fails."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the flow-log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the VPC flow logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Use a retention that CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ..., 365, ... 3653)."
  }
}
