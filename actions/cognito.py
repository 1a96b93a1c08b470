"""Cognito calls the actions make, through boto3, off the event loop.

boto3 blocks, so every call runs in a worker thread. Errors come back as botocore
``ClientError``; :mod:`actions.cognito_errors` turns them into answers for the user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import partial
from typing import Any

import anyio.to_thread
import boto3
from botocore.config import Config

from actions.settings import ActionSettings


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC-SHA256(client secret, username + client id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


class Cognito:
    """The user pool's app client, as the actions use it."""

    def __init__(self, settings: ActionSettings, client: Any | None = None) -> None:
        self.settings = settings
        self.client_id = settings.cognito_app_client_id
        secret = settings.cognito_app_client_secret
        self.client_secret = secret.get_secret_value() if secret else None
        self.idp = client or boto3.client(
            "cognito-idp",
            region_name=settings.cognito_region,
            endpoint_url=settings.cognito_endpoint_url,
            config=Config(
                connect_timeout=min(settings.cognito_timeout_seconds, 5),
                read_timeout=settings.cognito_timeout_seconds,
                # A user waiting on a login is better served by one clear error than by
                # retries that multiply the wait (and the attempts counted against them).
                retries={"total_max_attempts": 1},
            ),
            **_local_credentials(settings),
        )

    async def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        method = getattr(self.idp, operation)
        result: dict[str, Any] = await anyio.to_thread.run_sync(partial(method, **params))
        return result

    def _with_secret(self, params: dict[str, Any], username: str) -> dict[str, Any]:
        if self.client_secret:
            params["SecretHash"] = secret_hash(username, self.client_id, self.client_secret)
        return params

    async def sign_up(self, email: str, password: str, name: str) -> dict[str, Any]:
        """Create an unconfirmed user; Cognito sends the confirmation code."""
        params = {
            "ClientId": self.client_id, "Username": email, "Password": password,
            "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "name", "Value": name}],
        }
        return await self._call("sign_up", **self._with_secret(params, email))

    async def confirm_sign_up(self, email: str, code: str) -> dict[str, Any]:
        """Confirm with the emailed code (runs the post-confirmation trigger)."""
        params = {"ClientId": self.client_id, "Username": email, "ConfirmationCode": code}
        return await self._call("confirm_sign_up", **self._with_secret(params, email))

    async def resend_confirmation_code(self, email: str) -> dict[str, Any]:
        """Send a new confirmation code."""
        params = {"ClientId": self.client_id, "Username": email}
        return await self._call("resend_confirmation_code", **self._with_secret(params, email))

    async def password_auth(self, email: str, password: str) -> dict[str, Any]:
        """USER_PASSWORD_AUTH (runs user-migration, post-authentication and pre-token)."""
        auth = {"USERNAME": email, "PASSWORD": password}
        if self.client_secret:
            auth["SECRET_HASH"] = secret_hash(email, self.client_id, self.client_secret)
        return await self._call("initiate_auth", ClientId=self.client_id,
                                AuthFlow="USER_PASSWORD_AUTH", AuthParameters=auth)

    async def refresh_auth(self, refresh_token: str, username: str | None) -> dict[str, Any]:
        """REFRESH_TOKEN_AUTH; with a client secret the hash needs the Cognito username."""
        auth = {"REFRESH_TOKEN": refresh_token}
        if self.client_secret and username:
            auth["SECRET_HASH"] = secret_hash(username, self.client_id, self.client_secret)
        return await self._call("initiate_auth", ClientId=self.client_id,
                                AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=auth)

    async def revoke_refresh_token(self, refresh_token: str) -> None:
        """Revoke a refresh token (and the access tokens issued from it)."""
        params: dict[str, Any] = {"Token": refresh_token, "ClientId": self.client_id}
        if self.client_secret:
            params["ClientSecret"] = self.client_secret
        await self._call("revoke_token", **params)

    async def global_sign_out(self, username: str) -> None:
        """Sign ``username`` out of every device (needs the pool id and admin rights)."""
        await self._call("admin_user_global_sign_out",
                         UserPoolId=self.settings.cognito_user_pool_id, Username=username)

    async def forgot_password(self, email: str) -> dict[str, Any]:
        """Send a password-reset code (runs user migration for a legacy user)."""
        params = {"ClientId": self.client_id, "Username": email}
        return await self._call("forgot_password", **self._with_secret(params, email))

    async def confirm_forgot_password(self, email: str, code: str, password: str
                                      ) -> dict[str, Any]:
        """Set a new password with the reset code."""
        params = {"ClientId": self.client_id, "Username": email, "ConfirmationCode": code,
                  "Password": password}
        return await self._call("confirm_forgot_password", **self._with_secret(params, email))


def _local_credentials(settings: ActionSettings) -> dict[str, str]:
    """cognito-local accepts any credentials; on AWS the role's credentials are used."""
    if settings.cognito_endpoint_url:
        return {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    return {}
