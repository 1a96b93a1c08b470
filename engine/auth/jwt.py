"""Verifying a JWT and reading Hasura's claims from it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import orjson
from cachetools import LRUCache
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import Key

from engine.auth.errors import AuthError, access_denied, invalid_jwt
from engine.auth.jsonpath import MISSING, lookup
from engine.auth.jwks import JwksCache
from engine.auth.jwt_config import ALGORITHMS_BY_KTY, JwtConfig, JwtConfigError
from engine.auth.published_keys import published_key_name, refusal
from engine.session import Session

ALLOWED_ROLES = "x-hasura-allowed-roles"
DEFAULT_ROLE = "x-hasura-default-role"
_TOKEN_CACHE_SIZE = 4096


class _Verified(NamedTuple):
    """What a verified token proved, kept while it stays true."""

    claims: dict[str, Any]
    exp: float | None
    nbf: float | None
    key: Key
    """The key that verified it: a JWKS refresh that drops or replaces it voids the entry."""
    kid: str | None


class JwtAuthenticator:
    """Turns a token (and the requested role) into a :class:`Session`.

    Verified tokens are cached (at most ``cache_size``, least recently used out) by their
    exact text, so a client that reuses its token pays for the signature, issuer and
    audience checks once: any other text, a forged signature included, is a different entry
    and is verified in full; a refusal is never cached. Each use still checks ``exp`` and
    ``nbf`` against the clock, and, with a JWKS, that the set still holds the very key that
    verified the token (a rotated-out key stops vouching for its tokens at the next fetch).
    """

    def __init__(
        self,
        config: JwtConfig,
        *,
        jwks: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
        allow_published: bool = False,
        cache_size: int = _TOKEN_CACHE_SIZE,
    ) -> None:
        """An authenticator for ``config``.

        Raises:
            JwtConfigError: the fixed ``key`` is a published key and ``allow_published`` is
                False (see :mod:`engine.auth.published_keys`).
        """
        self.config = config
        self.jwks = jwks
        self.allow_published = allow_published
        if config.key is not None and not allow_published:
            name = published_key_name(config.key.as_dict())
            if name is not None:
                raise JwtConfigError(refusal(name, "the JWT config's 'key'"))
        if config.jwk_url is not None and jwks is None:
            self.jwks = JwksCache(config.jwk_url, clock=clock, allow_published=allow_published)
        self._clock = clock
        self._verified: LRUCache[str, _Verified] = LRUCache(cache_size)

    async def session(self, token: str, requested_role: str | None) -> Session:
        """The session of a request carrying ``token``.

        Raises:
            AuthError: the token does not verify, lacks role claims or the role is not allowed.
        """
        cached = self._verified.get(token)
        if cached is not None and not await self._still_vouched(cached):
            del self._verified[token]
            cached = None
        if cached is None:
            try:
                payload, key, kid = await self._verify_signature(token)
                self._check_times(payload)
                self._check_issuer_audience(payload)
                claims = self._hasura_claims(payload)
            except AuthError:
                raise
            except Exception as exc:
                # A token crafted to break parsing is still just an invalid token.
                raise invalid_jwt(f"JWTClaimsSetDecodeError ({type(exc).__name__})") from None
            cached = _Verified(claims, _number(payload.get("exp")), _number(payload.get("nbf")),
                               key, kid)
            self._verified[token] = cached
        else:
            self._check_window(cached.exp, cached.nbf)
        return _session(cached.claims, requested_role, cached.exp)

    async def _still_vouched(self, cached: _Verified) -> bool:
        """Whether the key that verified a cached token is still the one the JWKS names."""
        if self.jwks is None:
            return True
        return await self.jwks.key_for(cached.kid) is cached.key

    async def _verify_signature(self, token: str) -> tuple[dict[str, Any], Key, str | None]:
        """The payload, the key that verified it and the header's ``kid``."""
        try:
            # The header is read before any key is chosen; nothing in it is trusted yet.
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError, UnicodeError):
            raise invalid_jwt("JWSError (CompactDecodeError Invalid number of parts)") from None
        alg = header.get("alg")
        key, allowed = await self._key(header)
        if not isinstance(alg, str) or alg not in allowed:
            raise invalid_jwt("JWSError JWSInvalidSignature")
        try:
            verified = jws.deserialize_compact(token, key, algorithms=[alg])
            payload = orjson.loads(verified.payload)
        except (JoseError, ValueError):
            raise invalid_jwt("JWSError JWSInvalidSignature") from None
        if not isinstance(payload, dict):
            raise invalid_jwt("JWTClaimsSetDecodeError")
        kid = header.get("kid")
        return payload, key, kid if isinstance(kid, str) else None

    async def _key(self, header: Mapping[str, Any]) -> tuple[Key, frozenset[str]]:
        config = self.config
        if config.key is not None and config.algorithm is not None:
            return config.key, frozenset((config.algorithm,))
        assert self.jwks is not None
        kid = header.get("kid")
        key = await self.jwks.key_for(kid if isinstance(kid, str) else None)
        if key is None:
            raise invalid_jwt("JWSError JWSNoValidKey")
        allowed = ALGORITHMS_BY_KTY.get(key.key_type, frozenset())
        declared = key.get("alg") if hasattr(key, "get") else None
        if isinstance(declared, str):
            allowed = allowed & {declared}
        return key, allowed

    def _check_times(self, payload: Mapping[str, Any]) -> None:
        for name in ("exp", "nbf", "iat"):
            if name in payload and _number(payload[name]) is None:
                raise invalid_jwt("JWTClaimsSetDecodeError")
        self._check_window(_number(payload.get("exp")), _number(payload.get("nbf")))
        iat = _number(payload.get("iat"))
        if iat is not None and iat > self._clock() + self.config.allowed_skew + 60:
            raise invalid_jwt("JWTIssuedAtFuture")

    def _check_window(self, exp: float | None, nbf: float | None) -> None:
        now = self._clock()
        skew = self.config.allowed_skew
        if exp is not None and now > exp + skew:
            raise invalid_jwt("JWTExpired")
        if nbf is not None and now + skew < nbf:
            raise invalid_jwt("JWTNotYetValid")

    def _check_issuer_audience(self, payload: Mapping[str, Any]) -> None:
        config = self.config
        if config.issuer is not None and payload.get("iss") != config.issuer:
            raise invalid_jwt("JWTNotInIssuer")
        if config.audience is not None:
            aud = payload.get("aud")
            given = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
            if not set(config.audience) & {a for a in given if isinstance(a, str)}:
                raise invalid_jwt("JWTNotInAudience")

    def _hasura_claims(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        config = self.config
        if config.claims_map is not None:
            claims: dict[str, Any] = {}
            for name, mapping in config.claims_map.items():
                if mapping.path is None:
                    claims[name] = mapping.literal
                    continue
                value = lookup(payload, mapping.path)
                if value is MISSING:
                    if mapping.default is None:
                        raise AuthError(
                            f"claim {name} not found in JWT at path {_show(mapping.path)}",
                            "jwt-missing-role-claims" if name in (ALLOWED_ROLES, DEFAULT_ROLE)
                            else "jwt-invalid-claims",
                        )
                    value = mapping.default
                claims[name] = value
            return claims
        if config.namespace_path is not None:
            raw = lookup(payload, config.namespace_path)
        else:
            raw = payload.get(config.namespace, MISSING)
        if raw is MISSING:
            raise AuthError("JWT claims namespace not found", "jwt-missing-role-claims")
        if config.stringified and isinstance(raw, str):
            try:
                raw = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise invalid_jwt("claims are not valid stringified JSON") from None
        if not isinstance(raw, dict):
            raise AuthError("JWT claims must be a JSON object", "jwt-invalid-claims")
        return {str(k).lower(): v for k, v in raw.items()}


def _session(claims: Mapping[str, Any], requested_role: str | None,
             expires_at: float | None = None) -> Session:
    allowed = claims.get(ALLOWED_ROLES)
    if not isinstance(allowed, list) or not all(isinstance(r, str) for r in allowed):
        raise AuthError(
            f"JWT claim does not contain {ALLOWED_ROLES}", "jwt-missing-role-claims"
        )
    default = claims.get(DEFAULT_ROLE)
    if not isinstance(default, str):
        raise AuthError(f"JWT claim does not contain {DEFAULT_ROLE}", "jwt-missing-role-claims")
    role = requested_role if requested_role is not None else default
    if role not in allowed:
        if requested_role is None:
            raise access_denied("Your current role is not in allowed roles")
        raise access_denied("Your requested role is not in allowed roles")
    variables = {
        name: _as_text(value)
        for name, value in claims.items()
        if name.startswith("x-hasura-") and name not in (ALLOWED_ROLES, DEFAULT_ROLE)
    }
    variables["x-hasura-role"] = role
    return Session(role=role, variables=variables, is_admin_secret=False, expires_at=expires_at)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _show(path: tuple[str | int, ...]) -> str:
    return "$" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in path)
