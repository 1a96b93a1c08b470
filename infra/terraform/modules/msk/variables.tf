variable "name" {
  description = "Cluster name (also the prefix of its security group, configuration and log group)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the brokers."
  type        = string
}

variable "subnet_ids" {
  description = "One subnet per broker, in different availability zones: the public subnets, as public access needs."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "MSK needs at least two subnets in different availability zones."
  }
}

variable "producer_cidrs" {
  description = "CIDRs allowed to reach the public IAM listener (9198): the machine that runs the producer."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.producer_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Give the producer's own CIDRs (for example 203.0.113.7/32), never 0.0.0.0/0."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to reach the private IAM listener (9098): the loader function's."
  type        = list(string)
}

variable "public_access" {
  description = "DISABLED at creation (AWS refuses otherwise), then SERVICE_PROVIDED_EIPS for the producer."
  type        = string
  default     = "DISABLED"

  validation {
    condition     = contains(["DISABLED", "SERVICE_PROVIDED_EIPS"], var.public_access)
    error_message = "Use DISABLED or SERVICE_PROVIDED_EIPS."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version of the brokers."
  type        = string
  default     = "3.6.0"
}

variable "instance_type" {
  description = "Broker instance type (kafka.t3.small is the smallest that allows public access)."
  type        = string
  default     = "kafka.t3.small"
}

variable "volume_size" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 10
}

variable "kms_key_arn" {
  description = "KMS key for data at rest and the broker log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days to keep broker logs."
  type        = number
  default     = 365
}
