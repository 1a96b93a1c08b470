"""Resolving a request's session from its headers, the way Hasura does.

Order: an ``X-Hasura-Admin-Secret`` header is checked first (a wrong one is refused); with
no admin secret configured every request is admin; then the JWT when one is configured and
the request carries it; then ``HASURA_GRAPHQL_UNAUTHORIZED_ROLE``; otherwise refused.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from http.cookies import CookieError, SimpleCookie

from engine.auth.errors import access_denied, invalid_headers
from engine.auth.jwt import JwtAuthenticator
from engine.session import ADMIN_ROLE, Session

ADMIN_SECRET_HEADERS = ("x-hasura-admin-secret", "x-hasura-access-key")
ROLE_HEADER = "x-hasura-role"


class SessionResolver:
    """Maps request headers (lower-cased names) to a :class:`Session`."""

    def __init__(
        self,
        *,
        admin_secret: str | None,
        jwt: JwtAuthenticator | None = None,
        unauthorized_role: str | None = None,
    ) -> None:
        self._secret = admin_secret.encode() if admin_secret else None
        self.jwt = jwt
        self.unauthorized_role = unauthorized_role
        self._admin = Session(role=ADMIN_ROLE, variables={ROLE_HEADER: ADMIN_ROLE},
                              is_admin_secret=True)

    async def resolve(self, headers: Mapping[str, str]) -> Session:
        """The session for a request with ``headers``.

        Raises:
            AuthError: the request proves nothing acceptable.
        """
        found = self.resolve_now(headers)
        if isinstance(found, Session):
            return found
        return await self.token_session(found, headers)

    async def token_session(self, token: str, headers: Mapping[str, str]) -> Session:
        """The session of a JWT :meth:`resolve_now` left to check.

        Raises:
            AuthError: the token is not acceptable.
        """
        assert self.jwt is not None
        return await self.jwt.session(token, headers.get(ROLE_HEADER))

    def resolve_now(self, headers: Mapping[str, str]) -> Session | str:
        """:meth:`resolve` without a coroutine: the session, or the JWT still to check.

        Only a JWT needs :meth:`resolve` (its keys may have to be fetched); an admin
        secret, the unauthorized role or a refusal are decided here.

        Raises:
            AuthError: the request proves nothing acceptable.
        """
        given = headers.get("x-hasura-admin-secret")
        if given is None:
            given = headers.get("x-hasura-access-key")
        if self._secret is None or given is not None:
            if self._secret is not None and given is not None and not hmac.compare_digest(
                given.encode(), self._secret
            ):
                raise access_denied("invalid x-hasura-admin-secret/x-hasura-access-key", 401)
            return self._admin_session(headers)
        if self.jwt is not None:
            token = self._token(headers)
            if token is not None:
                return token
            if self.unauthorized_role is None:
                raise invalid_headers(
                    "Missing 'Authorization' or 'Cookie' header in JWT authentication mode"
                )
        if self.unauthorized_role is not None:
            # The role is fixed: a client cannot pick another one without proving who it is.
            # Other x-hasura-* headers still become session variables, as in Hasura, whose
            # documentation warns that permissions of this role must not rely on them.
            variables = {name: value for name, value in headers.items()
                         if name.startswith("x-hasura-") and name not in ADMIN_SECRET_HEADERS}
            variables[ROLE_HEADER] = self.unauthorized_role
            return Session(role=self.unauthorized_role, variables=variables)
        raise access_denied("x-hasura-admin-secret/x-hasura-access-key required, but not found",
                            401)

    def _admin_session(self, headers: Mapping[str, str]) -> Session:
        variables = {
            name: value for name, value in headers.items()
            if name.startswith("x-hasura-") and name not in ADMIN_SECRET_HEADERS
        }
        if not variables:
            return self._admin
        role = variables.get(ROLE_HEADER) or ADMIN_ROLE
        variables[ROLE_HEADER] = role
        return Session(role=role, variables=variables, is_admin_secret=True)

    def _token(self, headers: Mapping[str, str]) -> str | None:
        assert self.jwt is not None
        config = self.jwt.config
        if config.header_type == "Cookie":
            raw = headers.get("cookie")
            if raw is None:
                return None
            try:
                cookie = SimpleCookie(raw)
            except CookieError:
                raise invalid_headers("Malformed Cookie header") from None
            morsel = cookie.get(config.header_name or "")
            return None if morsel is None else morsel.value
        if config.header_type == "CustomHeader":
            return headers.get(config.header_name or "")
        value = headers.get("authorization")
        if value is None:
            return None
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise invalid_headers("Malformed Authorization header")
        return token.strip()

