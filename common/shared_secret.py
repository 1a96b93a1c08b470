"""The shared secret Hasura proves itself with (``X-Action-Secret``), read and checked once.

Hasura cannot sign its calls to actions, event and cron triggers or remote schemas; it sends
a header whose value comes from its environment (``value_from_env``). Every service it calls
(the action service, the trigger service, credit history, and API Gateway's authorizer in
front of the first two) reads the same secret here, ``ACTION_SHARED_SECRET`` or on AWS the
Secrets Manager secret ``ACTION_SHARED_SECRET_ARN`` names, and checks the header here, in
constant time, answering ``access-denied`` when it is missing or wrong.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from common.config import Environ, Secret, SettingsError
from common.errors import AccessDeniedError
from common.secrets import read_secret

SECRET_HEADER = "x-action-secret"  # noqa: S105 - a header name, not a secret
"""The header (lower case: ASGI and API Gateway v2 hand headers over lower-cased)."""


def shared_secret(env: Mapping[str, str] | None = None, *, region: str | None = None) -> Secret:
    """``ACTION_SHARED_SECRET``, else the secret ``ACTION_SHARED_SECRET_ARN`` names (cached).

    Raises:
        SettingsError: neither is set.
    """
    read = Environ(env)
    direct = read.secret("ACTION_SHARED_SECRET")
    if direct is not None:
        return direct
    arn = read.optional("ACTION_SHARED_SECRET_ARN")
    if arn is None:
        raise SettingsError("setting ACTION_SHARED_SECRET (or ACTION_SHARED_SECRET_ARN) is "
                            "required (the secret Hasura sends as X-Action-Secret)")
    return read_secret(arn, region=region)


def proves_secret(headers: Mapping[str, str], expected: str) -> bool:
    """Whether ``headers`` carry ``expected`` in ``X-Action-Secret`` (constant-time compare).

    ``headers`` is looked up in lower case (Starlette's headers, a lower-cased dict). An
    empty header never proves anything, even against an empty ``expected``.
    """
    given = headers.get(SECRET_HEADER, "").encode()
    return bool(given) and hmac.compare_digest(given, expected.encode())


def require_secret(headers: Mapping[str, str], expected: str) -> None:
    """Raise :class:`AccessDeniedError` (401 ``access-denied``) unless ``headers`` prove it."""
    if not proves_secret(headers, expected):
        raise AccessDeniedError("missing or wrong X-Action-Secret header")
