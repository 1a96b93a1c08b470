from __future__ import annotations

import base64
import hashlib

import bcrypt
import pytest
from argon2 import PasswordHasher

from lambdas.user_migration.passwords import UnsupportedHashError, verify_password

PASSWORD = "Legacy-Passw0rd"


def _ab64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=").replace("+", ".")


def _passlib_pbkdf2(password: str, salt: bytes, rounds: int = 1000) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, rounds, 32)
    return f"$pbkdf2-sha256${rounds}${_ab64(salt)}${_ab64(digest)}"


def _django_pbkdf2(password: str, salt: str, iterations: int = 1000) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations, 32)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode()}"


@pytest.mark.parametrize("stored", [
    bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode(),
    "$2y$" + bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()[4:],
    _passlib_pbkdf2(PASSWORD, b"saltsalt"),
    _django_pbkdf2(PASSWORD, "djangosalt"),
    PasswordHasher(time_cost=1, memory_cost=1024).hash(PASSWORD),
], ids=["bcrypt-2b", "bcrypt-2y", "passlib-pbkdf2", "django-pbkdf2", "argon2id"])
def test_verify_password_accepts_the_right_password_and_refuses_a_wrong_one(stored: str) -> None:
    """GIVEN a legacy hash in each supported format WHEN verifying THEN the right password.

    matches and a wrong one does not.
    """
    assert verify_password(PASSWORD, stored) is True
    assert verify_password(PASSWORD + "x", stored) is False


def test_verify_password_refuses_an_unknown_format() -> None:
    """GIVEN a hash in no known format WHEN verifying THEN UnsupportedHashError, not False."""
    with pytest.raises(UnsupportedHashError):
        verify_password(PASSWORD, "md5$abc")


def test_verify_password_treats_a_malformed_hash_as_no_match() -> None:
    """GIVEN a truncated pbkdf2 hash WHEN verifying THEN it never matches."""
    assert verify_password(PASSWORD, "$pbkdf2-sha256$1000$broken") is False


@pytest.mark.parametrize("scheme", ["sha512_crypt", "sha256_crypt"])
def test_verify_password_accepts_crypt_sha2_hashes(scheme: str) -> None:
    """GIVEN crypt(3) SHA-2 hashes (``$6$``, ``$5$``) made by passlib WHEN verifying THEN the.

    right password matches and a wrong one does not.
    """
    from passlib import hash as passlib_hash

    stored = getattr(passlib_hash, scheme).using(rounds=1000).hash(PASSWORD)
    assert verify_password(PASSWORD, stored) is True
    assert verify_password("Other-Passw0rd", stored) is False


def test_verify_password_compares_bcrypt_on_the_first_72_bytes() -> None:
    """GIVEN a bcrypt hash of a 100-byte password WHEN verifying it THEN it matches (bcrypt.

    only ever read 72 bytes; bcrypt 5 would refuse the longer input).
    """
    long_password = "A1-" + "x" * 97
    stored = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    assert verify_password(long_password, stored) is True
