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

output "data_prefix" {
  description = "Prefix of the Athena tables' data in the bucket."
  value       = var.data_prefix
}

output "athena_results_prefix" {
  description = "Prefix of Athena query results in the bucket (the only prefix queries write)."
  value       = local.athena_results_prefix
}

output "credit_reports_table_name" {
  description = "Glue table of credit reports."
  value       = aws_glue_catalog_table.credit_reports.name
}

output "price_archive_table_name" {
  description = "Glue table of the crypto price archive (partition projection on dt)."
  value       = aws_glue_catalog_table.price_archive.name
}

output "price_archive_prefix" {
  description = "Prefix (under data_prefix) of the price archive's dt=YYYY-MM-DD folders."
  value       = local.price_archive_prefix
}
