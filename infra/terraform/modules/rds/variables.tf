variable "name" {
  description = "Identifier of the DB instance, also the prefix of its subnet group, security group and parameter group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}[a-z0-9]$", var.name))
    error_message = "Use lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}

variable "vpc_id" {
  description = "VPC that holds the database."
  type        = string

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "Give a VPC ID (vpc-...)."
  }
}

variable "subnet_ids" {
  description = "Private subnets, in at least two AZs, for the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "RDS needs subnets in at least two availability zones."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect on 5432 (the functions' group)."
  type        = list(string)
  default     = []
}

variable "hasura_egress_cidrs" {
  description = "CIDRs Hasura Cloud connects from through a private path (VPC peering or PrivateLink); the database stays private either way."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.hasura_egress_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Each entry must be a valid IPv4 CIDR, and 0.0.0.0/0 is refused."
  }
}

variable "engine_version" {
  description = "PostgreSQL version: a major (\"15\") lets RDS apply minor upgrades; a minor (\"15.8\") pins one."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.engine_version))
    error_message = "This system targets PostgreSQL 15 (the parameter group family is postgres15)."
  }
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "Instance classes start with 'db.'."
  }
}

variable "allocated_storage" {
  description = "Initial storage, in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "gp3 storage for PostgreSQL is 20 to 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Ceiling for storage autoscaling, in GiB; 0 disables autoscaling."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage == 0 || var.max_allocated_storage >= var.allocated_storage
    error_message = "Set 0, or a ceiling at least as large as allocated_storage."
  }
}

variable "database_name" {
  description = "Name of the database Hasura connects to."
  type        = string
  default     = "hasura"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "Use a lowercase PostgreSQL identifier (letters, digits, '_')."
  }
}

variable "master_username" {
  description = "Master user name."
  type        = string
  default     = "hasura_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["postgres", "admin", "rdsadmin"], var.master_username)
    error_message = "Use a lowercase identifier that is not a reserved name (postgres, admin, rdsadmin)."
  }
}

variable "master_password" {
  description = "Master password; ephemeral, written to RDS write-only and never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "master_password_version" {
  description = "Increase to send a new master password to RDS."
  type        = number
  default     = 1

  validation {
    condition     = var.master_password_version >= 1
    error_message = "Versions start at 1."
  }
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the exported log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "multi_az" {
  description = "Keep a synchronous standby in a second AZ (doubles the instance cost)."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35
    error_message = "Backups must be on: 1 to 35 days."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance until this is turned off in a separate apply."
  type        = bool
  default     = true
}

variable "monitoring_interval_seconds" {
  description = "Enhanced Monitoring granularity, in seconds."
  type        = number
  default     = 60

  validation {
    condition     = contains([1, 5, 10, 15, 30, 60], var.monitoring_interval_seconds)
    error_message = "Enhanced Monitoring accepts 1, 5, 10, 15, 30 or 60 seconds."
  }
}

variable "slow_query_log_ms" {
  description = "Statements slower than this many milliseconds are logged."
  type        = number
  default     = 500

  validation {
    condition     = var.slow_query_log_ms >= 0
    error_message = "Give a non-negative number of milliseconds."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the exported PostgreSQL logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Use a retention that CloudWatch Logs accepts."
  }
}
