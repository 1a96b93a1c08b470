"""Verifying a password against a legacy hash: bcrypt, PBKDF2-SHA256 or Argon2.

The formats are the ones the legacy database stored: bcrypt's ``$2b$`` (also ``$2a$`` and
``$2y$``), PBKDF2-SHA256 in passlib's ``$pbkdf2-sha256$rounds$salt$hash`` (adapted
base64) or Django's ``pbkdf2_sha256$iterations$salt$hash``, and Argon2's ``$argon2id$``.
Comparisons run in constant time; an unknown or malformed hash never verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
_BCRYPT_MAX_BYTES = 72  # bcrypt ignores bytes past 72; bcrypt 5 refuses them instead
_argon2 = PasswordHasher()


class UnsupportedHashError(ValueError):
    """The stored hash is in no format this function knows."""


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``.

    Raises UnsupportedHashError for an unknown format (a configuration problem, not a
    wrong password).
    """
    if stored.startswith(_BCRYPT_PREFIXES):
        return _verify_bcrypt(password, stored)
    if stored.startswith("$pbkdf2-sha256$"):
        return _verify_passlib_pbkdf2(password, stored)
    if stored.startswith("pbkdf2_sha256$"):
        return _verify_django_pbkdf2(password, stored)
    if stored.startswith("$argon2"):
        return _verify_argon2(password, stored)
    raise UnsupportedHashError("unsupported legacy hash format")


def _verify_bcrypt(password: str, stored: str) -> bool:
    secret = password.encode()[:_BCRYPT_MAX_BYTES]
    # bcrypt does not read the $2y$ variant's prefix, which is the same algorithm as $2b$.
    hashed = ("$2b$" + stored[4:]) if stored.startswith("$2y$") else stored
    try:
        return bcrypt.checkpw(secret, hashed.encode())
    except ValueError:
        return False


def _ab64_decode(text: str) -> bytes:
    """Adapted base64 of passlib base64: ``.`` for ``+``, no padding."""
    padded = text.replace(".", "+") + "=" * (-len(text) % 4)
    return base64.b64decode(padded)


def _verify_passlib_pbkdf2(password: str, stored: str) -> bool:
    try:
        _, _, rounds, salt, checksum = stored.split("$")
        expected = _ab64_decode(checksum)
        derived = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), _ab64_decode(salt), int(rounds), len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(derived, expected)


def _verify_django_pbkdf2(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, checksum = stored.split("$")
        expected = base64.b64decode(checksum)
        derived = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), salt.encode(), int(iterations), len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(derived, expected)


def _verify_argon2(password: str, stored: str) -> bool:
    try:
        return _argon2.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
