"""How the producer reaches Kafka: plaintext on the local broker, IAM on MSK.

MSK's IAM access control speaks SASL/OAUTHBEARER over TLS (port 9198 on the public
endpoints, 9098 inside the VPC); the token is a SigV4-signed URL made by
``aws-msk-iam-sasl-signer-python`` from the usual AWS credential chain.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from aiokafka.abc import AbstractTokenProvider
from aiokafka.helpers import create_ssl_context


class KafkaAuth(Enum):
    """How clients authenticate to the brokers."""

    PLAINTEXT = "plaintext"
    MSK_IAM = "msk-iam"


_REFRESH_MARGIN_S = 60.0


class MskIamTokenProvider(AbstractTokenProvider):  # type: ignore[misc]  # aiokafka is untyped
    """OAUTHBEARER tokens for MSK IAM, reused until a minute before they expire."""

    def __init__(self, region: str) -> None:
        self.region = region
        self._token = ""
        self._expires_at = 0.0

    async def token(self) -> str:
        """A valid token (signing is blocking, so it runs in a thread)."""
        if time.time() < self._expires_at - _REFRESH_MARGIN_S:
            return self._token
        from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

        token, expiry_ms = await asyncio.to_thread(
            MSKAuthTokenProvider.generate_auth_token, self.region)
        self._token, self._expires_at = str(token), float(expiry_ms) / 1000
        return self._token


@dataclass(frozen=True)
class KafkaConnection:
    """Bootstrap servers and authentication for one cluster."""

    bootstrap_servers: str
    auth: KafkaAuth = KafkaAuth.PLAINTEXT
    region: str = "us-east-1"

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin clients."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers}
        if self.auth is KafkaAuth.MSK_IAM:
            options.update(
                security_protocol="SASL_SSL",
                sasl_mechanism="OAUTHBEARER",
                sasl_oauth_token_provider=MskIamTokenProvider(self.region),
                ssl_context=create_ssl_context(),
            )
        return options
