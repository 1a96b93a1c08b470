"""Demo users of the legacy database, one per password scheme, so a newcomer can log in.

The passwords are public on purpose (README lists them); the hashes are made when the
database is seeded, with each scheme's default cost, as the legacy application made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from passlib.hash import argon2, bcrypt, django_pbkdf2_sha256, pbkdf2_sha256, sha512_crypt


@dataclass(frozen=True)
class DemoUser:
    """A legacy account: email as the old application stored it, password in clear."""

    email: str
    username: str
    full_name: str
    password: str = field(repr=False)
    scheme: str
    """passlib's name of the hash scheme, or ``md5_hex`` (unsupported: the producer skips it)."""

    def password_hash(self) -> str:
        """A fresh hash of the password in the user's scheme (a new salt every call)."""
        if self.scheme == "md5_hex":
            # What a very old application stored: unsalted MD5, which the pipe refuses.
            return "5f4dcc3b5aa765d61d8327deb882cf99"
        return str(_HASHERS[self.scheme].hash(self.password))


_HASHERS = {"bcrypt": bcrypt, "argon2": argon2, "pbkdf2_sha256": pbkdf2_sha256,
            "django_pbkdf2_sha256": django_pbkdf2_sha256, "sha512_crypt": sha512_crypt}

DEMO_USERS = (
    DemoUser("ada@example.com", "ada", "Ada Lovelace", "Lovelace-1843", "bcrypt"),
    DemoUser("grace@example.com", "grace", "Grace Hopper", "Cobol-1959x", "argon2"),
    DemoUser("alan@example.com", "alan", "Alan Turing", "Enigma-1912", "pbkdf2_sha256"),
    DemoUser("Edsger.Dijkstra@Example.com", "edsger", "Edsger Dijkstra", "Goto-1968x",
             "sha512_crypt"),
    DemoUser("barbara@example.com", "barbara", "Barbara Liskov", "Subtype-1987",
             "django_pbkdf2_sha256"),
    # Skipped by the producer: an address that is no email, and a scheme nobody should trust.
    DemoUser("not-an-email", "ghost", "Ghost Account", "Ghost-0000", "bcrypt"),
    DemoUser("oldtimer@example.com", "oldtimer", "Old Timer", "password", "md5_hex"),
)
