"""cognito-local, the local stand-in for the Cognito user pool and its Lambda triggers.

It runs from ``<state>/cognito`` (its config and data live in ``.cognito/`` there), calls
the triggers through the local Lambda Invoke API, and signs RS256 tokens with a key that
ships inside the npm package: anyone can forge them, so nothing outside the local stack
may ever trust its issuer.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx

from devstack.errors import StackError
from devstack.paths import REPO_ROOT
from devstack.ports import LOOPBACK, ensure_free
from devstack.private_state import write_private
from devstack.process import ManagedProcess
from devstack.settings import StackSettings
from devstack.stack import log_file, pid_file

TRIGGER_FUNCTIONS = {
    "PostConfirmation": "post_confirmation",
    "PreTokenGeneration": "pre_token_generation",
    "PostAuthentication": "post_authentication",
    "UserMigration": "user_migration",
}
"""Cognito trigger → Lambda function name (the same names as on AWS)."""

POOL_NAME = "devstack-users"
CLIENT_NAME = "devstack-app"
ADMIN_GROUP = "admin"
PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}
"""The production pool's policy; cognito-local does not enforce it, the action service does."""


def cognito_local_bin() -> Path:
    """The cognito-local executable installed by ``npm ci`` (``./dev setup``)."""
    path = REPO_ROOT / "node_modules" / ".bin" / "cognito-local"
    if not path.exists():
        raise StackError("cognito-local is not installed; run `./dev setup` (npm ci)")
    return path


@dataclass(frozen=True)
class UserPool:
    """The local pool and its app client (ids persist in the state folder)."""

    endpoint: str
    pool_id: str
    client_id: str

    @property
    def issuer(self) -> str:
        """The ``iss`` of the pool's tokens."""
        return f"{self.endpoint}/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        """Where the pool publishes its signing keys."""
        return f"{self.issuer}/.well-known/jwks.json"

    def engine_jwt_secret(self) -> dict[str, str]:
        """``HASURA_GRAPHQL_JWT_SECRET`` for this pool's ID tokens."""
        return {
            "jwk_url": self.jwks_url,
            "claims_format": "stringified_json",
            "issuer": self.issuer,
            "audience": self.client_id,
        }


class CognitoLocal:
    """A cognito-local server under ``root`` on ``port``, wired to a Lambda Invoke API.

    ``fixed_code`` makes every confirmation and reset code that value: for tests only.
    """

    def __init__(
        self,
        root: Path,
        port: int,
        lambda_endpoint: str,
        log_path: Path,
        pid_path: Path,
        fixed_code: str | None = None,
        triggers: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.port = port
        self.lambda_endpoint = lambda_endpoint
        self.log_path = log_path
        self.pid_path = pid_path
        self.fixed_code = fixed_code
        self.triggers = TRIGGER_FUNCTIONS if triggers is None else triggers
        self.process: ManagedProcess | None = None

    def url(self) -> str:
        """The Cognito endpoint (``endpoint_url`` of a cognito-idp client)."""
        return f"http://{LOOPBACK}:{self.port}"

    def config(self) -> dict[str, Any]:
        """cognito-local's ``.cognito/config.json``."""
        return {
            "LambdaClient": {
                "endpoint": self.lambda_endpoint,
                "region": "us-east-1",
                "credentials": {"accessKeyId": "local", "secretAccessKey": "local"},
            },
            "TriggerFunctions": self.triggers,
            "TokenConfig": {"IssuerDomain": self.url()},
            "ServerConfig": {"hostname": LOOPBACK, "port": self.port},
            "UserPoolDefaults": {"UsernameAttributes": ["email"]},
        }

    def start(self) -> None:
        """Write the config and start the server; returns once it answers ``/health``."""
        ensure_free(self.port, "cognito-local")
        config_dir = self.root / ".cognito"
        # cognito-local keeps users (passwords in plain text) under .cognito/: owner only.
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in (self.root, config_dir):
            folder.chmod(0o700)
        write_private(config_dir / "config.json", json.dumps(self.config(), indent=2))
        env = {"HOST": LOOPBACK, "PORT": str(self.port), "NO_COLOR": "1", "FORCE_COLOR": "0"}
        if self.fixed_code is not None:
            env["CODE"] = self.fixed_code
        node = shutil.which("node") or "node"
        self.process = ManagedProcess(
            "cognito-local", [node, str(cognito_local_bin())], self.log_path, self.pid_path,
            env=env, cwd=self.root,
        )
        self.process.start()
        self.process.wait_until(self.healthy, timeout=60)

    def healthy(self) -> bool:
        """Whether the server answers its health URL."""
        try:
            return httpx.get(self.url() + "/health", timeout=1.0).is_success
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """Stop the server if this object started it."""
        if self.process is not None:
            self.process.stop()

    def client(self, region: str = "us-east-1") -> Any:
        """A boto3 cognito-idp client for this server."""
        return boto3.client(
            "cognito-idp", endpoint_url=self.url(), region_name=region,
            aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106
        )

    def ensure_pool(self, region: str = "us-east-1") -> UserPool:
        """The pool recorded in ``pool.json`` if cognito-local still has it, else a new one."""
        record = self.root / "pool.json"
        idp = self.client(region)
        try:
            return self._ensure_pool(idp, record)
        finally:
            idp.close()

    def _ensure_pool(self, idp: Any, record: Path) -> UserPool:
        if record.exists():
            saved = json.loads(record.read_text())
            try:
                idp.describe_user_pool_client(
                    UserPoolId=saved["pool_id"], ClientId=saved["client_id"])
                return UserPool(self.url(), saved["pool_id"], saved["client_id"])
            except idp.exceptions.ClientError:
                pass  # cognito-local lost its data: make a new pool
        pool = create_pool(idp, self.url())
        write_private(record, json.dumps(asdict(pool)))
        return pool


def create_pool(idp: Any, endpoint: str) -> UserPool:
    """Create the pool, its app client and the ``admin`` group.

    Email is the username, the password policy is production's, and the client has no
    secret and allows USER_PASSWORD_AUTH and refresh.
    """
    pool_id = idp.create_user_pool(
        PoolName=POOL_NAME,
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
        ],
    )["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=CLIENT_NAME,
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.create_group(GroupName=ADMIN_GROUP, UserPoolId=pool_id,
                     Description="Members get the Hasura admin role")
    return UserPool(endpoint, pool_id, client_id)


class CognitoService:
    """The stack's cognito-local (pool created by the ``cognito-pool`` step)."""

    name = "cognito-local"

    def __init__(self, settings: StackSettings, lambda_endpoint: str,
                 fixed_code: str | None = None) -> None:
        self.settings = settings
        self.server = CognitoLocal(
            settings.state_dir / "cognito", settings.cognito_port, lambda_endpoint,
            log_file(settings, self.name), pid_file(settings, self.name), fixed_code,
        )
        self.pool: UserPool | None = None

    def url(self) -> str:
        """The Cognito endpoint."""
        return self.server.url()

    def describe(self) -> str:
        """What this stands in for."""
        return "Cognito user pool + triggers (cognito-local)"

    def start(self) -> None:
        """Start cognito-local."""
        self.server.start()

    def healthy(self) -> bool:
        """Whether it answers."""
        return self.server.healthy()

    def ensure_pool(self) -> UserPool:
        """Create or reuse the pool; the engine's JWT settings and the actions need it."""
        self.pool = self.server.ensure_pool(self.settings.aws_region)
        return self.pool

    def pool_step_summary(self) -> str:
        """Run :meth:`ensure_pool` and describe it in one line (for the ``up`` step)."""
        pool = self.ensure_pool()
        return f"pool {pool.pool_id}, client {pool.client_id}"
