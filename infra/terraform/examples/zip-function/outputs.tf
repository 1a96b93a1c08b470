output "function" {
  description = "Name, ARN, role and log group of the example function."
  value       = module.function.functions["pre_token_generation"]
}
