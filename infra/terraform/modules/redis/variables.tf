variable "name" {
  description = "Replication group id, also the prefix of its subnet group, security group, log group, user group and users."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "Use 2-32 lowercase letters, digits or single '-', starting with a letter and not ending with '-' (user ids add up to 8 characters and stop at 40)."
  }
}

variable "vpc_id" {
  description = "VPC that holds the cache."
  type        = string

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "Give a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Private subnets for the cache nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one subnet."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect on 6379 (the functions' group)."
  type        = list(string)
  default     = []
}

variable "engine_version" {
  description = "Redis OSS version."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.engine_version))
    error_message = "The parameter group is default.redis7: use a 7.x version."
  }
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "Node types start with 'cache.'."
  }
}

variable "multi_az" {
  description = "Keep a replica in a second AZ with automatic failover (doubles the cost)."
  type        = bool
  default     = true
}

variable "snapshot_retention_limit" {
  description = "Days of daily snapshots."
  type        = number
  default     = 1

  validation {
    condition     = var.snapshot_retention_limit >= 1 && var.snapshot_retention_limit <= 35
    error_message = "Keep 1 to 35 days of snapshots."
  }
}

variable "kms_key_arn" {
  description = "KMS key for data at rest and the slow-log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the slow log, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Use a retention that CloudWatch Logs accepts."
  }
}
