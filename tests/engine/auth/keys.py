"""Signing keys for JWT tests: an RSA pair (with its JWKS) and an HMAC secret."""

from __future__ import annotations

import time
from typing import Any

import orjson
from joserfc import jwk, jwt

HS_SECRET = "test-hmac-secret-that-is-long-enough-32+"
CLAIMS_NAMESPACE = "https://hasura.io/jwt/claims"


class JwtKeys:
    """Keys and a signer, so tests can mint tokens the engine accepts (or must refuse)."""

    def __init__(self, kid: str = "test-key-1") -> None:
        self.kid = kid
        self.rsa = jwk.RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256"})
        self.hmac = jwk.OctKey.import_key(HS_SECRET)
        self.hs_secret = HS_SECRET

    @property
    def public_pem(self) -> str:
        """The RSA public key as PEM."""
        return self.rsa.as_pem(private=False).decode()

    def jwks(self) -> dict[str, Any]:
        """The public key set (``{"keys": [...]}``)."""
        public = self.rsa.as_dict(private=False)
        public.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [public]}

    def rs256_config(self, **extra: Any) -> dict[str, Any]:
        """A ``HASURA_GRAPHQL_JWT_SECRET`` with the RSA public key."""
        return {"type": "RS256", "key": self.public_pem, **extra}

    def hs256_config(self, **extra: Any) -> dict[str, Any]:
        """A ``HASURA_GRAPHQL_JWT_SECRET`` with the HMAC secret."""
        return {"type": "HS256", "key": self.hs_secret, **extra}

    def sign(self, payload: dict[str, Any], *, alg: str = "RS256",
             key: Any = None, header: dict[str, Any] | None = None) -> str:
        """``payload`` signed with ``alg`` (RSA key for RS256, the HMAC secret for HS256)."""
        if key is None:
            key = self.rsa if alg.startswith("RS") else self.hmac
        head = {"alg": alg, "typ": "JWT", **({"kid": self.kid} if alg.startswith("RS") else {})}
        head.update(header or {})
        return jwt.encode(head, payload, key, algorithms=[alg])

    def claims(self, *, user_id: str = "user-1", roles: tuple[str, ...] = ("user",),
               default_role: str = "user", lifetime: int = 3600, stringified: bool = False,
               **extra: Any) -> dict[str, Any]:
        """A payload with Hasura claims valid for ``lifetime`` seconds."""
        now = int(time.time())
        hasura = {"x-hasura-allowed-roles": list(roles), "x-hasura-default-role": default_role,
                  "x-hasura-user-id": user_id}
        namespace: Any = orjson.dumps(hasura).decode() if stringified else hasura
        return {"sub": user_id, "iat": now, "exp": now + lifetime,
                CLAIMS_NAMESPACE: namespace, **extra}
