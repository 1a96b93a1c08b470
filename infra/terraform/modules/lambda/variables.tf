variable "name_prefix" {
  description = "Prefix of every function, role, log group and queue name (for example `hasura-core-dev`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "Use 2-31 lowercase letters, digits or '-', starting with a letter (function names stop at 64 characters)."
  }
}

variable "functions" {
  description = <<-EOT
    Functions to create, by key (the folder name under lambdas/, or the service name).
    `handler` is the dotted path of the handler (`lambdas.post_confirmation.handler.handler`);
    `policy_statements` are the only extra permissions the function gets.
  EOT
  type = map(object({
    description          = string
    handler              = string
    memory_size          = optional(number, 256)
    timeout              = optional(number, 10)
    reserved_concurrency = optional(number, 5)
    environment          = optional(map(string), {})
    policy_statements = optional(list(object({
      sid       = string
      actions   = list(string)
      resources = list(string)
    })), [])
  }))

  validation {
    condition     = alltrue([for k, _ in var.functions : can(regex("^[a-z][a-z0-9_]{0,30}$", k))])
    error_message = "Function keys are lowercase snake_case, 31 characters at most."
  }

  validation {
    condition     = alltrue([for f in var.functions : can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", f.handler))])
    error_message = "A handler is a dotted path: package.module.function."
  }

  validation {
    condition     = alltrue([for f in var.functions : f.timeout >= 1 && f.timeout <= 900 && f.memory_size >= 128 && f.memory_size <= 10240])
    error_message = "Timeouts are 1-900 seconds and memory 128-10240 MB."
  }

  validation {
    condition     = alltrue([for f in var.functions : f.reserved_concurrency >= 1])
    error_message = "Reserve at least one concurrent execution (0 would disable the function)."
  }

  # Least privilege by construction: no wildcard actions, and no statement on every resource.
  validation {
    condition = alltrue(flatten([
      for f in var.functions : [
        for s in f.policy_statements : !anytrue([for a in s.actions : a == "*" || endswith(a, ":*")]) && !contains(s.resources, "*")
      ]
    ]))
    error_message = "Policy statements must name their actions (no \"*\" or \"service:*\") and their resources (no \"*\")."
  }
}

variable "package_type" {
  description = "How the code is shipped: `Image` (container image from ECR) or `Zip`."
  type        = string
  default     = "Image"

  validation {
    condition     = contains(["Image", "Zip"], var.package_type)
    error_message = "Use Image or Zip."
  }
}

variable "image" {
  description = "The container image of every function in this instance (package_type Image): its ECR repository and a tag (`container_ver`, resolved to its digest at plan time) or a pinned `container_digest`, which wins."
  type = object({
    ecr_repository   = string
    container_ver    = optional(string)
    container_digest = optional(string)
  })
  default = null

  validation {
    condition     = var.package_type != "Image" || var.image != null
    error_message = "An Image package needs image."
  }

  validation {
    condition     = try(var.image.container_ver, null) == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image.container_ver))
    error_message = "Not a valid image tag."
  }

  validation {
    condition     = var.image == null || try(var.image.container_ver, null) != null || try(var.image.container_digest, null) != null
    error_message = "An image needs container_ver (a tag) or container_digest."
  }

  validation {
    condition     = try(var.image.container_digest, null) == null || can(regex("^sha256:[0-9a-f]{64}$", var.image.container_digest))
    error_message = "A digest looks like sha256: followed by 64 hex digits."
  }
}

variable "placement" {
  description = "Where every function runs and reports: the private subnets (egress through NAT) and security groups, the KMS key for environment variables and log groups (the roles may decrypt with it), and the SNS topics notified when a function errors or the dead-letter queue fills (empty keeps the alarms silent)."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
    kms_key_arn        = string
    alarm_topic_arns   = optional(list(string), [])
  })

  validation {
    condition     = length(var.placement.subnet_ids) >= 1 && length(var.placement.security_group_ids) >= 1
    error_message = "Give at least one subnet and one security group."
  }

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.placement.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "zip_file" {
  description = "Path of the zip archive (package_type Zip)."
  type        = string
  default     = null

  validation {
    condition     = var.package_type != "Zip" || var.zip_file != null
    error_message = "A Zip package needs zip_file."
  }
}

variable "code_signing_config_arn" {
  description = "Code signing configuration that zip packages must satisfy (AWS Signer); images cannot be signed this way."
  type        = string
  default     = null

  validation {
    condition     = var.code_signing_config_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:code-signing-config:csc-[a-z0-9]{17}$", var.code_signing_config_arn))
    error_message = "Give the ARN of a Lambda code signing configuration."
  }
}

variable "runtime" {
  description = "Runtime for zip packages (images bring their own)."
  type        = string
  default     = "python3.11"

  validation {
    condition     = can(regex("^python3\\.(1[1-3])$", var.runtime))
    error_message = "The code targets Python 3.11 to 3.13."
  }
}

variable "architecture" {
  description = "Instruction set; must match the image's platform."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "Use x86_64 or arm64."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the functions' logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Use a retention that CloudWatch Logs accepts."
  }
}

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL given to every function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "Use DEBUG, INFO, WARNING or ERROR."
  }
}

variable "dead_letter_retention_seconds" {
  description = "How long failed asynchronous events stay in the dead-letter queue."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_retention_seconds >= 60 && var.dead_letter_retention_seconds <= 1209600
    error_message = "SQS keeps messages 60 seconds to 14 days."
  }
}

