variable "name" {
  description = "Name of the HTTP API (also of its access-log group)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,127}$", var.name))
    error_message = "Use lowercase letters, digits and '-', starting with a letter."
  }
}

variable "description" {
  description = "What the API serves."
  type        = string
}

variable "lambda_function_name" {
  description = "Name of the function behind the API (for the invoke permission)."
  type        = string
}

variable "lambda_invoke_arn" {
  description = "Invoke ARN of the function behind the API."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:apigateway:", var.lambda_invoke_arn))
    error_message = "Give the function's invoke ARN (arn:aws:apigateway:...:lambda:path/...)."
  }
}

variable "authorizer" {
  description = "The Lambda REQUEST authorizer every request passes first: its function name and invoke ARN, the header it checks (the shared secret Hasura sends), and how long API Gateway caches its verdict per header value."
  type = object({
    function_name = string
    invoke_arn    = string
    header        = optional(string, "X-Action-Secret")
    cache_seconds = optional(number, 300)
  })

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:apigateway:", var.authorizer.invoke_arn))
    error_message = "Give the authorizer function's invoke ARN (arn:aws:apigateway:...:lambda:path/...)."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+$", var.authorizer.header))
    error_message = "Give a header name (letters, digits and '-')."
  }

  validation {
    condition     = var.authorizer.cache_seconds >= 0 && var.authorizer.cache_seconds <= 3600
    error_message = "API Gateway caches an authorizer's verdict 0 to 3600 seconds."
  }
}

variable "domain" {
  description = "Public DNS zone for the custom domain (for example `example.com`); empty for the execute-api URL only. The zone must exist in Route 53 in this account."
  type        = string
  default     = ""

  validation {
    condition     = var.domain == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.domain))
    error_message = "Give a lowercase DNS name such as example.com, or leave empty."
  }
}

variable "service_subdomain" {
  description = "Label in front of `domain` (for example `api` for api.example.com); empty uses the zone apex."
  type        = string
  default     = ""

  validation {
    condition     = var.service_subdomain == "" || can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", var.service_subdomain))
    error_message = "Give DNS labels (lowercase letters, digits, '-'), or leave empty."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the access-log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps access logs, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "Use a retention that CloudWatch Logs accepts."
  }
}

variable "integration_timeout_ms" {
  description = "How long API Gateway waits for the function, in milliseconds (Hasura's own action timeout is 30 s)."
  type        = number
  default     = 29000

  validation {
    condition     = var.integration_timeout_ms >= 50 && var.integration_timeout_ms <= 30000
    error_message = "HTTP APIs accept 50 to 30000 ms."
  }
}

variable "throttling_burst_limit" {
  description = "Requests allowed in a burst across the API."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit >= 1
    error_message = "Give a positive burst limit."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second across the API."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit >= 1
    error_message = "Give a positive rate limit."
  }
}
