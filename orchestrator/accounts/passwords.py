"""Password hashes: argon2id through argon2-cffi, with its default (RFC 9106 low-memory) parameters."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Longer passwords are refused: hashing megabytes would be a cheap way to burn CPU."""

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anybody has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. With no hash (an unknown user, a wallet-only user)
    a dummy hash is checked anyway, so the answer takes as long either way."""
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
