# The lambda module with a zip package instead of an image: the shape for a function whose
# dependencies fit in a zip, and the configuration CI validates so that branch of the
# module keeps working.
module "kms" {
  source = "../../modules/kms"

  name = "${var.name_prefix}-example"
}

module "function" {
  source = "../../modules/lambda"

  name_prefix  = var.name_prefix
  package_type = "Zip"
  zip_file     = var.zip_file
  runtime      = "python3.11"
  placement = {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
    kms_key_arn        = module.kms.key_arn
  }

  functions = {
    pre_token_generation = {
      description = "Cognito pre-token-generation (v1), shipped as a zip."
      handler     = "lambdas.pre_token_generation.handler.handler"
      memory_size = 128
    }
  }
}
