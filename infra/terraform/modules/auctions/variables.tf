variable "name_prefix" {
  description = "Prefix of the queue names (for example `hasura-core-dev`); tables keep the seed's names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "Use 2-31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the queues and the tables."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "Give the ARN of a KMS key."
  }
}

variable "bid_persistence_function_arn" {
  description = "ARN of the bid_persistence function (consumes the bid queue)."
  type        = string
}

variable "notifications_function_arn" {
  description = "ARN of the auction_notifications function (consumes the notification queue)."
  type        = string
}

variable "bids_table_name" {
  description = "Name of the bid history table."
  type        = string
  default     = "bids_history"
}

variable "chat_table_name" {
  description = "Name of the chat table."
  type        = string
  default     = "chat_messages"
}

variable "visibility_timeout_seconds" {
  description = "Seconds a received message stays hidden (at least six times the consumers' timeout)."
  type        = number
  default     = 300

  validation {
    condition     = var.visibility_timeout_seconds >= 30 && var.visibility_timeout_seconds <= 43200
    error_message = "Between 30 seconds and 12 hours."
  }
}

variable "max_receive_count" {
  description = "Receives of a message before it moves to the dead-letter queue."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "Between 1 and 1000."
  }
}

variable "max_queue_age_seconds" {
  description = "Alarm when the oldest message waits longer than this."
  type        = number
  default     = 120
}

variable "alarm_topic_arns" {
  description = "SNS topics the alarms notify."
  type        = list(string)
  default     = []
}

variable "deletion_protection" {
  description = "Refuse to delete the tables until this is turned off."
  type        = bool
  default     = true
}
