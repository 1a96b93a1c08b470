output "functions" {
  description = "Per function key: name, ARN, invoke ARN, role and log group."
  value = {
    for key, fn in aws_lambda_function.this : key => {
      name           = fn.function_name
      arn            = fn.arn
      invoke_arn     = fn.invoke_arn
      role_name      = aws_iam_role.this[key].name
      role_arn       = aws_iam_role.this[key].arn
      log_group_name = aws_cloudwatch_log_group.this[key].name
    }
  }
}

output "lambda_image_uri" {
  description = "Image the functions run, as repository@digest (null for zip packages)."
  value       = local.image_uri
}

output "dead_letter_queue_arn" {
  description = "ARN of the dead-letter queue shared by these functions."
  value       = aws_sqs_queue.dead_letter.arn
}
