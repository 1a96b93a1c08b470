# Applied once per account and region before any environment: a Lambda function can only
# be created from an image that is already in ECR, so the repositories come first.
module "ecr" {
  source = "../../modules/ecr"

  repository_names = ["${var.project}-lambdas", "${var.project}-service"]
}
