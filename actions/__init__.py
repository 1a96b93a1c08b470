"""The action service: Hasura actions for sign-up, login and the rest of authentication."""
