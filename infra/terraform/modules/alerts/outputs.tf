output "topic_arn" {
  description = "ARN of the alerts topic, for alarm actions."
  value       = aws_sns_topic.this.arn
}
