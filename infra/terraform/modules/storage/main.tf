locals {
  athena_results_prefix = "athena-results/"
  # Under var.data_prefix; the local stack writes the same layout (credit_history/seed.py).
  credit_reports_prefix = "credit_history/reports/"
  price_archive_prefix  = "crypto_prices_archive/"
}

# ---------------------------------------------------------------------------------------
# Access-log bucket: receives S3 server access logs of the data bucket.
# ---------------------------------------------------------------------------------------

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:This is the access-log target; logging it into itself would loop.
  #checkov:skip=CKV_AWS_144:Access logs are an audit trail for this region; replicating them doubles storage for no recovery benefit.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events about new log objects.
  #checkov:skip=CKV_AWS_145:S3 server access logging only delivers to buckets encrypted with SSE-S3, not SSE-KMS.
  bucket        = "${var.bucket_name}-access-logs"
  force_destroy = false
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  # With BucketOwnerEnforced, log delivery is granted by policy instead of an ACL, and
  # only for logs about this account's data bucket.
  statement {
    sid       = "AllowServerAccessLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.this.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

# ---------------------------------------------------------------------------------------
# Data bucket: application files and the Athena tables' data and query results.
# ---------------------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Single-region system; versioning plus the noncurrent-version window covers mistakes, and the Athena data is re-exportable.
  #checkov:skip=CKV2_AWS_62:No service reacts to new objects; Athena reads the data on query.
  bucket        = var.bucket_name
  force_destroy = false
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }

    # One data key per bucket instead of one KMS call per object: Athena scans many
    # objects and this cuts the KMS bill and throttling risk.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "this" {
  bucket        = aws_s3_bucket.this.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${var.bucket_name}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  # Query results are scratch data: Athena rewrites them on every query.
  rule {
    id     = "expire-athena-results"
    status = "Enabled"

    filter {
      prefix = local.athena_results_prefix
    }

    expiration {
      days = var.athena_results_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  rule {
    id     = "tidy-versions-and-uploads"
    status = "Enabled"

    filter {}

    noncurrent_version_transition {
      noncurrent_days = 30
      storage_class   = "STANDARD_IA"
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# ---------------------------------------------------------------------------------------
# Athena: a workgroup whose settings cannot be overridden by clients, with encrypted
# results and a per-query scan limit as a cost guardrail.
# ---------------------------------------------------------------------------------------

resource "aws_athena_workgroup" "this" {
  name          = var.athena_workgroup_name
  description   = "Queries of the analytics service (data joins from Hasura)."
  state         = "ENABLED"
  force_destroy = false

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff_per_query

    result_configuration {
      output_location       = "s3://${aws_s3_bucket.this.bucket}/${local.athena_results_prefix}"
      expected_bucket_owner = data.aws_caller_identity.current.account_id

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }

      acl_configuration {
        s3_acl_option = "BUCKET_OWNER_FULL_CONTROL"
      }
    }
  }
}

resource "aws_glue_catalog_database" "this" {
  name        = var.glue_database_name
  description = "Tables Athena queries, stored under s3://${var.bucket_name}/${var.data_prefix}."

  location_uri = "s3://${aws_s3_bucket.this.bucket}/${var.data_prefix}"
}

# ---------------------------------------------------------------------------------------
# Tables: credit reports (Parquet written by the credit-history seed or an upstream export)
# and the price archive (Parquet per day, partitions found by projection, no crawler).
# ---------------------------------------------------------------------------------------

resource "aws_glue_catalog_table" "credit_reports" {
  name          = "credit_reports"
  database_name = aws_glue_catalog_database.this.name
  description   = "Credit bureau reports by national id (read by the credit-history service)."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    classification     = "parquet"
    EXTERNAL           = "TRUE"
    has_encrypted_data = "true"
  }

  storage_descriptor {
    location      = "s3://${aws_s3_bucket.this.bucket}/${var.data_prefix}${local.credit_reports_prefix}"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    columns {
      name = "national_id"
      type = "string"
    }
    columns {
      name = "report_date"
      type = "date"
    }
    columns {
      name = "bureau"
      type = "string"
    }
    columns {
      name = "score"
      type = "int"
    }
    columns {
      name = "open_accounts"
      type = "int"
    }
    columns {
      name = "total_debt"
      type = "double"
    }
    columns {
      name = "delinquencies"
      type = "int"
    }
  }
}

resource "aws_glue_catalog_table" "price_archive" {
  name          = "crypto_prices_archive"
  database_name = aws_glue_catalog_database.this.name
  description   = "crypto_prices rows older than the retention window, one Parquet file per day."
  table_type    = "EXTERNAL_TABLE"

  parameters = {
    classification                = "parquet"
    EXTERNAL                      = "TRUE"
    has_encrypted_data            = "true"
    "projection.enabled"          = "true"
    "projection.dt.type"          = "date"
    "projection.dt.format"        = "yyyy-MM-dd"
    "projection.dt.range"         = "2024-01-01,NOW"
    "projection.dt.interval"      = "1"
    "projection.dt.interval.unit" = "DAYS"
    "storage.location.template"   = "s3://${aws_s3_bucket.this.bucket}/${var.data_prefix}${local.price_archive_prefix}dt=$${dt}/"
  }

  partition_keys {
    name = "dt"
    type = "string"
  }

  storage_descriptor {
    location      = "s3://${aws_s3_bucket.this.bucket}/${var.data_prefix}${local.price_archive_prefix}"
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    }

    columns {
      name = "id"
      type = "bigint"
    }
    columns {
      name = "asset_symbol"
      type = "string"
    }
    columns {
      name = "quote_currency"
      type = "string"
    }
    columns {
      name = "price"
      type = "string"
    }
    columns {
      name = "bid"
      type = "string"
    }
    columns {
      name = "ask"
      type = "string"
    }
    columns {
      name = "volume"
      type = "string"
    }
    columns {
      name = "source_time"
      type = "timestamp"
    }
    columns {
      name = "minute"
      type = "timestamp"
    }
    columns {
      name = "created_at"
      type = "timestamp"
    }
  }
}
