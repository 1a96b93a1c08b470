"""``HASURA_GRAPHQL_JWT_SECRET`` parsed as Hasura reads it.

Fields: ``type`` + ``key`` (a shared secret for HS*, a PEM public key or certificate for
RS*/ES*/Ed25519) or ``jwk_url``; ``claims_namespace`` (default
``https://hasura.io/jwt/claims``) or ``claims_namespace_path``; ``claims_format``
(``json`` or ``stringified_json``); ``claims_map``; ``audience`` (string or list);
``issuer``; ``allowed_skew`` (seconds); ``header`` (``{"type": "Authorization"}``,
``{"type": "Cookie", "name": ...}`` or ``{"type": "CustomHeader", "name": ...}``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from joserfc import jwk

from engine.auth.jsonpath import JsonPath, parse_path

DEFAULT_NAMESPACE = "https://hasura.io/jwt/claims"
HMAC_ALGORITHMS = {"HS256", "HS384", "HS512"}
RSA_ALGORITHMS = {"RS256", "RS384", "RS512"}
EC_ALGORITHMS = {"ES256", "ES384", "ES512"}
OKP_ALGORITHMS = {"EdDSA"}
_KEY_TYPES = HMAC_ALGORITHMS | RSA_ALGORITHMS | EC_ALGORITHMS | {"Ed25519"}
ALGORITHMS_BY_KTY: dict[str, frozenset[str]] = {
    "RSA": frozenset(RSA_ALGORITHMS),
    "EC": frozenset(EC_ALGORITHMS),
    "OKP": frozenset(OKP_ALGORITHMS),
}


class JwtConfigError(ValueError):
    """The JWT configuration is unusable; the message says which field and why."""


@dataclass(frozen=True)
class ClaimMapping:
    """One ``claims_map`` entry: a JSON path into the token (with a default) or a literal."""

    path: JsonPath | None
    default: Any = None
    literal: Any = None


@dataclass(frozen=True)
class JwtConfig:
    """A validated JWT configuration."""

    algorithm: str | None
    """The one algorithm tokens must use with a fixed ``key`` (None with ``jwk_url``)."""
    key: jwk.Key | None = field(default=None, repr=False)
    jwk_url: str | None = None
    namespace: str = DEFAULT_NAMESPACE
    namespace_path: JsonPath | None = None
    stringified: bool = False
    claims_map: Mapping[str, ClaimMapping] | None = None
    audience: tuple[str, ...] | None = None
    issuer: str | None = None
    allowed_skew: float = 0.0
    header_type: str = "Authorization"
    header_name: str | None = None
    """The cookie or custom header that holds the token (lower-cased)."""


def parse_jwt_config(raw: Mapping[str, Any]) -> JwtConfig:
    """Validate ``raw`` (the parsed JSON of ``HASURA_GRAPHQL_JWT_SECRET``).

    Raises:
        JwtConfigError: a field is missing, of the wrong type or inconsistent with another.
    """
    key_type = raw.get("type")
    key_text = raw.get("key")
    jwk_url = raw.get("jwk_url")
    if jwk_url is not None and (key_text is not None):
        raise JwtConfigError("JWT config: give either 'key' or 'jwk_url', not both")
    algorithm: str | None = None
    key: jwk.Key | None = None
    if jwk_url is None:
        if not isinstance(key_type, str) or key_type not in _KEY_TYPES:
            raise JwtConfigError(f"JWT config: 'type' must be one of {sorted(_KEY_TYPES)}")
        if not isinstance(key_text, str) or not key_text:
            raise JwtConfigError("JWT config: 'key' (or 'jwk_url') is required")
        algorithm = "EdDSA" if key_type == "Ed25519" else key_type
        key = _import_key(key_type, key_text)
    elif not isinstance(jwk_url, str) or not jwk_url.startswith(("http://", "https://")):
        raise JwtConfigError("JWT config: 'jwk_url' must be an http(s) URL")

    if "claims_namespace" in raw and "claims_namespace_path" in raw:
        raise JwtConfigError(
            "JWT config: 'claims_namespace' and 'claims_namespace_path' exclude each other"
        )
    namespace = raw.get("claims_namespace", DEFAULT_NAMESPACE)
    if not isinstance(namespace, str):
        raise JwtConfigError("JWT config: 'claims_namespace' must be a string")
    namespace_path = None
    if "claims_namespace_path" in raw:
        namespace_path = _path(raw["claims_namespace_path"], "claims_namespace_path")
    claims_format = raw.get("claims_format", "json")
    if claims_format not in ("json", "stringified_json"):
        raise JwtConfigError("JWT config: 'claims_format' must be json or stringified_json")
    header_type, header_name = _header(raw.get("header"))
    skew = raw.get("allowed_skew", 0)
    if not isinstance(skew, int | float) or isinstance(skew, bool) or skew < 0:
        raise JwtConfigError("JWT config: 'allowed_skew' must be a non-negative number")
    issuer = raw.get("issuer")
    if issuer is not None and not isinstance(issuer, str):
        raise JwtConfigError("JWT config: 'issuer' must be a string")
    return JwtConfig(
        algorithm=algorithm,
        key=key,
        jwk_url=jwk_url,
        namespace=namespace,
        namespace_path=namespace_path,
        stringified=claims_format == "stringified_json",
        claims_map=_claims_map(raw.get("claims_map")),
        audience=_audience(raw.get("audience")),
        issuer=issuer,
        allowed_skew=float(skew),
        header_type=header_type,
        header_name=header_name,
    )


def _import_key(key_type: str, text: str) -> jwk.Key:
    if key_type in HMAC_ALGORITHMS:
        if len(text) < 32:
            raise JwtConfigError("JWT config: an HMAC 'key' must be at least 32 characters")
        return jwk.OctKey.import_key(text)
    pem = text.encode()
    if b"CERTIFICATE" in pem:
        try:
            public = x509.load_pem_x509_certificate(pem).public_key()
        except ValueError:
            raise JwtConfigError("JWT config: 'key' is not a valid PEM certificate") from None
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    key_class: type[jwk.RSAKey] | type[jwk.ECKey] | type[jwk.OKPKey]
    if key_type in RSA_ALGORITHMS:
        key_class = jwk.RSAKey
    elif key_type in EC_ALGORITHMS:
        key_class = jwk.ECKey
    else:
        key_class = jwk.OKPKey
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return key_class.import_key(pem)
    except Exception:
        raise JwtConfigError(f"JWT config: 'key' is not a valid {key_type} public key") from None


def _path(value: Any, name: str) -> JsonPath:
    if not isinstance(value, str):
        raise JwtConfigError(f"JWT config: '{name}' must be a JSON path string")
    try:
        return parse_path(value)
    except ValueError as exc:
        raise JwtConfigError(f"JWT config: '{name}': {exc}") from None


def _claims_map(value: Any) -> dict[str, ClaimMapping] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise JwtConfigError("JWT config: 'claims_map' must be an object")
    mapped: dict[str, ClaimMapping] = {}
    for name, spec in value.items():
        if isinstance(spec, dict) and "path" in spec:
            mapped[name.lower()] = ClaimMapping(
                _path(spec["path"], f"claims_map.{name}.path"), spec.get("default")
            )
        elif isinstance(spec, str | list):
            mapped[name.lower()] = ClaimMapping(None, literal=spec)
        else:
            raise JwtConfigError(
                f"JWT config: 'claims_map.{name}' must be a literal or {{\"path\": ...}}"
            )
    return mapped


def _audience(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise JwtConfigError("JWT config: 'audience' must be a string or a list of strings")


def _header(value: Any) -> tuple[str, str | None]:
    if value is None:
        return "Authorization", None
    if not isinstance(value, dict) or value.get("type") not in (
        "Authorization", "Cookie", "CustomHeader",
    ):
        raise JwtConfigError(
            "JWT config: 'header' must be {\"type\": \"Authorization\" | \"Cookie\" | "
            "\"CustomHeader\", \"name\": ...}"
        )
    header_type = str(value["type"])
    if header_type == "Authorization":
        return header_type, None
    name = value.get("name")
    if not isinstance(name, str) or not name:
        raise JwtConfigError(f"JWT config: a {header_type} 'header' needs a 'name'")
    return header_type, name.lower()
