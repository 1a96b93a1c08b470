resource "aws_dynamodb_table" "this" {
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.hash_key

  attribute {
    name = var.hash_key
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  # Staged legacy password hashes are the only copy outside the old system: keep 35 days
  # of restore points and refuse accidental deletion.
  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = var.deletion_protection
}
