data "aws_region" "current" {}

locals {
  issuer = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

resource "aws_cognito_user_pool" "this" {
  name                = var.name
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  # Users sign in with their email address; Cognito keeps the immutable `sub` as id.
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]

  username_configuration {
    case_sensitive = false
  }

  password_policy {
    minimum_length                   = var.password_minimum_length
    require_uppercase                = true
    require_lowercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 7
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
    email_subject        = var.verification_email_subject
    email_message        = "Your verification code is {####}."
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  # Sign-up goes through the action service, so users must be able to register themselves.
  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  mfa_configuration = var.mfa_configuration

  dynamic "software_token_mfa_configuration" {
    for_each = var.mfa_configuration == "OFF" ? [] : [1]

    content {
      enabled = true
    }
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true

    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }

  lambda_config {
    post_confirmation   = var.lambda_triggers.post_confirmation.arn
    post_authentication = var.lambda_triggers.post_authentication.arn
    user_migration      = var.lambda_triggers.user_migration.arn

    # Version 1 events carry ID-token claims only, which is where Hasura reads its claims.
    # Both attributes name the same function: AWS reports both back, and setting only the
    # config block leaves a permanent diff.
    pre_token_generation = var.lambda_triggers.pre_token_generation.arn

    pre_token_generation_config {
      lambda_arn     = var.lambda_triggers.pre_token_generation.arn
      lambda_version = "V1_0"
    }
  }
}

resource "aws_cognito_user_pool_client" "this" {
  name         = "${var.name}-app"
  user_pool_id = aws_cognito_user_pool.this.id

  # The action service calls InitiateAuth on behalf of users; USER_PASSWORD_AUTH is also
  # what hands the plain password to the user-migration trigger.
  explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

  # A public client: no secret to ship, and no SECRET_HASH to compute on each call.
  generate_secret = false

  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  access_token_validity  = var.access_token_validity_minutes
  id_token_validity      = var.id_token_validity_minutes
  refresh_token_validity = var.refresh_token_validity_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  read_attributes  = ["email", "email_verified"]
  write_attributes = ["email"]
}

resource "aws_cognito_user_group" "admin" {
  name         = "admin"
  user_pool_id = aws_cognito_user_pool.this.id
  description  = "Users who get the Hasura `admin` role in their token claims."
}

# Cognito calls each trigger as itself; scoping the grant to this pool's ARN stops any
# other pool (in any account) from invoking the functions.
resource "aws_lambda_permission" "trigger" {
  for_each = {
    post_confirmation    = var.lambda_triggers.post_confirmation.function_name
    pre_token_generation = var.lambda_triggers.pre_token_generation.function_name
    post_authentication  = var.lambda_triggers.post_authentication.function_name
    user_migration       = var.lambda_triggers.user_migration.function_name
  }

  statement_id  = "AllowCognito-${replace(each.key, "_", "-")}"
  action        = "lambda:InvokeFunction"
  function_name = each.value
  principal     = "cognito-idp.amazonaws.com"
  source_arn    = aws_cognito_user_pool.this.arn
}
