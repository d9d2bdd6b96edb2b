"""Passwords (argon2id) and the roles a user can have, shared by the CLI and the API."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = ("admin", "manager", "viewer", "auditor")

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures cost the same time."""
    return _HASHER.hash("not-a-real-password-used-only-for-timing")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with the library's recommended parameters."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user (None) costs the same time."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
