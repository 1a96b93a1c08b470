"""The GraphQL a client sends for sign-up and login (the README shows the same)."""

from __future__ import annotations

import uuid
from typing import Any

SIGNUP = """mutation Signup($email: String!, $password: String!, $name: String!) {
  signup(email: $email, password: $password, name: $name) { user_id confirmed }
}"""
CONFIRM = """mutation Confirm($email: String!, $code: String!) {
  confirmSignup(email: $email, code: $code) { ok }
}"""
LOGIN = """mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    id_token access_token refresh_token expires_in token_type
  }
}"""
REFRESH = """mutation Refresh($token: String!) {
  refreshToken(refresh_token: $token) { id_token access_token expires_in }
}"""
LOGOUT = """mutation Logout($token: String!) { logout(refresh_token: $token) { ok } }"""
USERS = "query { users { id email name last_login_at } }"

PASSWORD = "Sup3r-secret"


def new_email() -> str:
    """An email no other test uses."""
    return f"auth-{uuid.uuid4().hex[:12]}@example.com"


def error_code(answer: Any) -> str:
    """The machine code of the answer's first GraphQL error."""
    return str(answer["errors"][0]["extensions"]["code"])
