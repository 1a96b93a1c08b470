"""Cognito user migration: signs in legacy users whose password hash is in DynamoDB."""
