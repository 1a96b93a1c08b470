"""Cognito post-confirmation: writes the confirmed user to ``users`` through GraphQL."""
