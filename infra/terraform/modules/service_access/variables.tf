variable "name" {
  description = "Name of the security group (also its Name tag)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,254}$", var.name))
    error_message = "Use lowercase letters, digits and '-', starting with a letter."
  }
}

variable "description" {
  description = "What the group guards and who may reach it."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the service."
  type        = string

  validation {
    condition     = startswith(var.vpc_id, "vpc-")
    error_message = "Give a VPC ID (vpc-...)."
  }
}

variable "service" {
  description = "What the clients reach, as the rules' descriptions name it (for example `PostgreSQL`)."
  type        = string
}

variable "port" {
  description = "TCP port the clients' security groups may connect to."
  type        = number

  validation {
    condition     = var.port >= 1 && var.port <= 65535
    error_message = "Give a TCP port."
  }
}

variable "client_security_group_ids" {
  description = "Security groups whose members may connect on `port` (each gets the matching egress rule)."
  type        = list(string)
  default     = []
}

variable "cidrs" {
  description = "IPv4 CIDRs that may connect from outside the VPC's groups (for example Hasura Cloud's egress); empty for none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Give IPv4 CIDRs, never 0.0.0.0/0."
  }
}

variable "cidr_port" {
  description = "Port the CIDRs connect to, when it is not `port` (MSK's public listener); null for `port`."
  type        = number
  default     = null
}
