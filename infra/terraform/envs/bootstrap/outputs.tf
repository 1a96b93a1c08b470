output "repository_urls" {
  description = "Where to push the images built from infra/docker."
  value       = module.ecr.repository_urls
}
