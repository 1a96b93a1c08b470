"""Cognito post-authentication: records the sign-in time through GraphQL."""
