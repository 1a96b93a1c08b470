output "bucket_name" {
  description = "Name of the data bucket."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the data bucket."
  value       = aws_s3_bucket.this.arn
}

output "athena_workgroup_name" {
  description = "Name of the Athena workgroup."
  value       = aws_athena_workgroup.this.name
}

output "athena_workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = aws_athena_workgroup.this.arn
}

output "athena_results_location" {
  description = "S3 location of query results."
  value       = "s3://${aws_s3_bucket.this.bucket}/${local.athena_results_prefix}"
}

output "glue_database_name" {
  description = "Name of the Glue (Athena) database."
  value       = aws_glue_catalog_database.this.name
}
