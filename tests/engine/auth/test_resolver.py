"""Which session a request gets from its headers."""

from __future__ import annotations

import pytest

from engine.auth.errors import AuthError
from engine.auth.jwt import JwtAuthenticator
from engine.auth.jwt_config import parse_jwt_config
from engine.auth.resolver import SessionResolver
from tests.engine.auth.keys import JwtKeys

SECRET = "s3cret-admin"


def resolver(jwt_keys: JwtKeys | None = None, *, secret: str | None = SECRET,
             unauthorized: str | None = None, **jwt: object) -> SessionResolver:
    auth = None
    if jwt_keys is not None:
        auth = JwtAuthenticator(parse_jwt_config(jwt_keys.rs256_config(**jwt)))
    return SessionResolver(admin_secret=secret, jwt=auth, unauthorized_role=unauthorized)


async def refused(res: SessionResolver, headers: dict[str, str]) -> AuthError:
    with pytest.raises(AuthError) as caught:
        await res.resolve(headers)
    return caught.value


async def test_resolver_admin_secret_gives_admin_and_header_variables() -> None:
    """Resolver admin secret gives admin and header variables.

    GIVEN the right admin secret with a role and a user id header WHEN resolved THEN that role,
    those variables, marked as proven by the admin secret.
    """
    plain = await resolver().resolve({"x-hasura-admin-secret": SECRET})
    assert (plain.role, plain.is_admin, plain.is_admin_secret) == ("admin", True, True)
    session = await resolver().resolve({"x-hasura-admin-secret": SECRET,
                                        "x-hasura-role": "user", "x-hasura-user-id": "7"})
    assert (session.role, session.get("x-hasura-user-id")) == ("user", "7")
    assert session.get("x-hasura-admin-secret") is None


async def test_resolver_wrong_admin_secret_is_refused_even_with_a_valid_jwt(
    jwt_keys: JwtKeys,
) -> None:
    """Resolver wrong admin secret is refused even with a valid jwt.

    GIVEN JWT mode WHEN a wrong admin secret comes with a valid token THEN access-denied.
    """
    error = await refused(resolver(jwt_keys), {
        "x-hasura-admin-secret": "nope",
        "authorization": f"Bearer {jwt_keys.sign(jwt_keys.claims())}"})
    assert (error.code, error.status) == ("access-denied", 401)


async def test_resolver_without_configured_secret_everyone_is_admin() -> None:
    """Resolver without configured secret everyone is admin.

    GIVEN no admin secret configured WHEN a bare request comes THEN it is admin (as Hasura).
    """
    assert (await resolver(secret=None).resolve({})).role == "admin"


async def test_resolver_unauthorized_role_cannot_pick_a_role(jwt_keys: JwtKeys) -> None:
    """Resolver unauthorized role cannot pick a role.

    GIVEN an unauthorized role WHEN a request without credentials sets X-Hasura-Role admin and
    X-Hasura-User-Id THEN the session is the unauthorized role; the header variables are
    carried as Hasura does (untrusted, so its permissions must not use them).
    """
    for res in (resolver(unauthorized="anonymous"),
                resolver(jwt_keys, unauthorized="anonymous")):
        session = await res.resolve({"x-hasura-role": "admin", "x-hasura-user-id": "1"})
        assert (session.role, session.is_admin) == ("anonymous", False)
        assert session.get("x-hasura-role") == "anonymous"
        assert session.get("x-hasura-user-id") == "1"


async def test_resolver_no_credentials_and_no_unauthorized_role_is_refused() -> None:
    """Resolver no credentials and no unauthorized role is refused.

    GIVEN an admin secret and no unauthorized role WHEN nothing is sent THEN access-denied.
    """
    assert (await refused(resolver(), {})).code == "access-denied"


async def test_resolver_jwt_mode_header_errors(jwt_keys: JwtKeys) -> None:
    """Resolver jwt mode header errors.

    GIVEN JWT mode without unauthorized role WHEN no Authorization comes THEN invalid-headers;
    WHEN it is not Bearer THEN invalid-headers.
    """
    res = resolver(jwt_keys)
    assert (await refused(res, {})).code == "invalid-headers"
    assert (await refused(res, {"authorization": "Basic abc"})).code == "invalid-headers"
    anonymous = await resolver(jwt_keys, unauthorized="anonymous").resolve({})
    assert anonymous.role == "anonymous"


async def test_resolver_jwt_from_cookie_and_custom_header(jwt_keys: JwtKeys) -> None:
    """Resolver jwt from cookie and custom header.

    GIVEN header settings Cookie(name=token) and CustomHeader(name=X-Token) WHEN the token is
    sent there THEN it is used.
    """
    token = jwt_keys.sign(jwt_keys.claims(user_id="c1"))
    by_cookie = resolver(jwt_keys, header={"type": "Cookie", "name": "token"})
    session = await by_cookie.resolve({"cookie": f"other=1; token={token}"})
    assert session.get("x-hasura-user-id") == "c1"
    by_header = resolver(jwt_keys, header={"type": "CustomHeader", "name": "X-Token"})
    assert (await by_header.resolve({"x-token": token})).get("x-hasura-user-id") == "c1"
