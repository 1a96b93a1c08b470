variable "name" {
  description = "Name of the user pool; the app client is named `<name>-app`."
  type        = string

  validation {
    condition     = can(regex("^[\\w\\s+=,.@-]{1,128}$", var.name))
    error_message = "Cognito pool names hold 1-128 word characters, spaces or +=,.@-."
  }
}

variable "lambda_triggers" {
  description = "Functions Cognito calls, by trigger: each with the function's name (for the invoke permission) and ARN."
  type = object({
    pre_token_generation = object({ function_name = string, arn = string })
    post_confirmation    = object({ function_name = string, arn = string })
    post_authentication  = object({ function_name = string, arn = string })
    user_migration       = object({ function_name = string, arn = string })
  })
}

variable "deletion_protection" {
  description = "Refuse to delete the pool (and every user in it) until this is turned off."
  type        = bool
  default     = true
}

variable "password_minimum_length" {
  description = "Minimum password length; upper case, lower case and digits are always required, symbols are not."
  type        = number
  default     = 8

  validation {
    condition     = var.password_minimum_length >= 8 && var.password_minimum_length <= 99
    error_message = "Use 8 to 99 characters."
  }
}

variable "mfa_configuration" {
  description = "Multi-factor authentication: OFF, OPTIONAL (users may add a TOTP app) or ON."
  type        = string
  default     = "OPTIONAL"

  validation {
    condition     = contains(["OFF", "OPTIONAL", "ON"], var.mfa_configuration)
    error_message = "Use OFF, OPTIONAL or ON."
  }
}

variable "verification_email_subject" {
  description = "Subject of the sign-up verification email."
  type        = string
  default     = "Your verification code"
}

variable "access_token_validity_minutes" {
  description = "Lifetime of access tokens, in minutes."
  type        = number
  default     = 60

  validation {
    condition     = var.access_token_validity_minutes >= 5 && var.access_token_validity_minutes <= 1440
    error_message = "Cognito accepts 5 minutes to 1 day."
  }
}

variable "id_token_validity_minutes" {
  description = "Lifetime of ID tokens (the JWT Hasura verifies), in minutes."
  type        = number
  default     = 60

  validation {
    condition     = var.id_token_validity_minutes >= 5 && var.id_token_validity_minutes <= 1440
    error_message = "Cognito accepts 5 minutes to 1 day."
  }
}

variable "refresh_token_validity_days" {
  description = "Lifetime of refresh tokens, in days."
  type        = number
  default     = 30

  validation {
    condition     = var.refresh_token_validity_days >= 1 && var.refresh_token_validity_days <= 3650
    error_message = "Cognito accepts 1 to 3650 days."
  }
}
