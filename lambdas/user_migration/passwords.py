"""Verifying a password against a legacy hash with passlib (the maintained ``libpass`` fork).

The schemes are the ones legacy applications stored: bcrypt (``$2a$``/``$2b$``/``$2y$``),
Argon2 (``$argon2id$``), PBKDF2-SHA256 in passlib's ``$pbkdf2-sha256$`` and Django's
``pbkdf2_sha256$`` formats, and crypt(3)'s SHA-512 and SHA-256 (``$6$``, ``$5$``). passlib
compares in constant time; an unknown format raises, a malformed hash never verifies.
The original ``passlib`` 1.7.4 is unmaintained and breaks on bcrypt 4.1+ (it reads a
removed ``bcrypt.__about__`` and probes with a password past 72 bytes, which bcrypt 5
refuses); ``libpass`` is its drop-in fork with the same ``passlib`` import name.
"""

from __future__ import annotations

from passlib.context import CryptContext

SCHEMES = ("bcrypt", "argon2", "pbkdf2_sha256", "django_pbkdf2_sha256",
           "sha512_crypt", "sha256_crypt")
"""passlib scheme names the legacy pipe accepts (the producer skips any other)."""

_context = CryptContext(schemes=list(SCHEMES))
_BCRYPT_MAX_BYTES = 72  # bcrypt always ignored bytes past 72; bcrypt 5 refuses them instead


class UnsupportedHashError(ValueError):
    """The stored hash is in no format this module knows."""


def identify_scheme(stored: str) -> str | None:
    """The passlib scheme of ``stored`` (one of :data:`SCHEMES`), or None when unknown."""
    try:
        scheme = _context.identify(stored)
    except ValueError:
        return None
    return str(scheme) if scheme else None


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``.

    Raises UnsupportedHashError for an unknown format (a configuration problem, not a
    wrong password).
    """
    scheme = identify_scheme(stored)
    if scheme is None:
        raise UnsupportedHashError("unsupported legacy hash format")
    secret = password.encode()
    if scheme == "bcrypt":
        secret = secret[:_BCRYPT_MAX_BYTES]
    try:
        return bool(_context.handler(scheme).verify(secret, stored))
    except (ValueError, TypeError):
        return False  # a malformed hash of a known scheme
