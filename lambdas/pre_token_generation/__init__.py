"""Cognito pre-token-generation (v1): puts Hasura's claims into the ID token."""
