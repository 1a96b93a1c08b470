output "queues" {
  description = "Per queue key (`bids`, `notifications`): name, URL, ARN, and its DLQ's name and ARN."
  value = {
    for key, queue in aws_sqs_queue.this : key => {
      name     = queue.name
      url      = queue.id
      arn      = queue.arn
      dlq_name = aws_sqs_queue.dead_letter[key].name
      dlq_arn  = aws_sqs_queue.dead_letter[key].arn
    }
  }
}

output "bids_table_name" {
  description = "Name of the bid history table."
  value       = aws_dynamodb_table.bids_history.name
}

output "bids_table_arn" {
  description = "ARN of the bid history table (its GSI is `<arn>/index/user_id-timestamp-index`)."
  value       = aws_dynamodb_table.bids_history.arn
}

output "chat_table_arn" {
  description = "ARN of the chat table."
  value       = aws_dynamodb_table.chat_messages.arn
}
