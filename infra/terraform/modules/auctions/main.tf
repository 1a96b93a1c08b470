# Live auctions (seed 003): the FIFO queues between the bid path and its Lambdas, their
# dead-letter queues, the DynamoDB tables, the SQS -> Lambda mappings and the alarms.

locals {
  queues = {
    bids          = "bid-persistence-queue"
    notifications = "notification-queue"
  }

  consumers = {
    bids          = var.bid_persistence_function_arn
    notifications = var.notifications_function_arn
  }
}

# A FIFO queue's dead-letter queue must be FIFO too. Messages stay 14 days for inspection.
resource "aws_sqs_queue" "dead_letter" {
  for_each = local.queues

  name                              = "${var.name_prefix}-${each.value}-dlq.fifo"
  fifo_queue                        = true
  message_retention_seconds         = 1209600
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
}

# Group = auction (bids of one auction are handled in acceptance order); deduplication =
# the bid id, so a re-sent bid is dropped within SQS's five-minute window.
resource "aws_sqs_queue" "this" {
  for_each = local.queues

  name                              = "${var.name_prefix}-${each.value}.fifo"
  fifo_queue                        = true
  content_based_deduplication       = true
  deduplication_scope               = "messageGroup"
  fifo_throughput_limit             = "perMessageGroupId"
  message_retention_seconds         = 86400
  visibility_timeout_seconds        = var.visibility_timeout_seconds
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter[each.key].arn
    maxReceiveCount     = var.max_receive_count
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  for_each = local.queues

  queue_url = aws_sqs_queue.dead_letter[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this[each.key].arn]
  })
}

# Batches of 10; the functions report the records that failed, so only those come back.
resource "aws_lambda_event_source_mapping" "this" {
  for_each = local.consumers

  event_source_arn        = aws_sqs_queue.this[each.key].arn
  function_name           = each.value
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
  enabled                 = true
}

resource "aws_dynamodb_table" "bids_history" {
  name         = var.bids_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "auction_id"
  range_key    = "timestamp#user_id"

  attribute {
    name = "auction_id"
    type = "S"
  }

  attribute {
    name = "timestamp#user_id"
    type = "S"
  }

  attribute {
    name = "user_id"
    type = "S"
  }

  attribute {
    name = "timestamp"
    type = "N"
  }

  global_secondary_index {
    name            = "user_id-timestamp-index"
    hash_key        = "user_id"
    range_key       = "timestamp"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "ttl_expiry"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  deletion_protection_enabled = var.deletion_protection
}

resource "aws_dynamodb_table" "chat_messages" {
  name         = var.chat_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "auction_id"
  range_key    = "timestamp#message_id"

  attribute {
    name = "auction_id"
    type = "S"
  }

  attribute {
    name = "timestamp#message_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  deletion_protection_enabled = var.deletion_protection
}

# ---------------------------------------------------------------------------------------
# Alarms: a queue falling behind, a message given up on, or DynamoDB refusing writes all
# mean bids are not reaching their history.
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = local.queues

  alarm_name          = "${aws_sqs_queue.this[each.key].name}-age"
  alarm_description   = "The oldest message in ${aws_sqs_queue.this[each.key].name} waits longer than ${var.max_queue_age_seconds} s."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.max_queue_age_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  dimensions = {
    QueueName = aws_sqs_queue.this[each.key].name
  }
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each = local.queues

  alarm_name          = "${aws_sqs_queue.dead_letter[each.key].name}-depth"
  alarm_description   = "Messages given up on are waiting in ${aws_sqs_queue.dead_letter[each.key].name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  dimensions = {
    QueueName = aws_sqs_queue.dead_letter[each.key].name
  }
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each = {
    bids_history  = aws_dynamodb_table.bids_history.name
    chat_messages = aws_dynamodb_table.chat_messages.name
  }

  alarm_name          = "${each.value}-throttles"
  alarm_description   = "DynamoDB throttled requests on ${each.value}."
  namespace           = "AWS/DynamoDB"
  metric_name         = "ThrottledRequests"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns

  dimensions = {
    TableName = each.value
  }
}
