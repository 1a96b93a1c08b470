variable "name" {
  description = "Prefix of the topic, alarm and budget names."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,60}$", var.name))
    error_message = "Use letters, digits, '_' or '-'."
  }
}

variable "notification_emails" {
  description = "Addresses that receive billing alarms and budget notifications."
  type        = list(string)

  validation {
    condition     = length(var.notification_emails) >= 1 && length(var.notification_emails) <= 10 && alltrue([for e in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Give 1 to 10 email addresses (AWS Budgets allows at most 10 subscribers)."
  }
}

variable "billing_alarm_threshold_usd" {
  description = "Estimated month-to-date charges, in USD, that raise the CloudWatch alarm."
  type        = number
  default     = 50

  validation {
    condition     = var.billing_alarm_threshold_usd > 0
    error_message = "Give a positive amount."
  }
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget, in USD."
  type        = number
  default     = 100

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "Give a positive amount."
  }
}

variable "admins_group_name" {
  description = "Name of the IAM group for human administrators."
  type        = string
  default     = "admins"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.admins_group_name))
    error_message = "IAM group names hold letters, digits and +=,.@_-."
  }
}

variable "admin_policy_arns" {
  description = "Managed policies the admins group gets; they take effect only once a member has signed in with MFA."
  type        = list(string)
  default     = ["arn:aws:iam::aws:policy/AdministratorAccess"]

  validation {
    condition     = alltrue([for a in var.admin_policy_arns : can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/", a))])
    error_message = "Give IAM policy ARNs."
  }
}

variable "admin_user_names" {
  description = "Existing IAM users to put in the admins group; empty manages membership elsewhere."
  type        = list(string)
  default     = []
}
