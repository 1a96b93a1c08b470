terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # State stays local until a team picks its backend; see infra/README.md for the S3
  # backend settings this environment is meant to use.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# Billing metrics exist only in us-east-1, whatever region the system runs in.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}
