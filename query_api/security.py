"""Passwords (argon2id) and the API's JWTs (HS256, algorithm pinned, claims checked)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fleet.config import JwtSettings

_HASHER = PasswordHasher()
# Verified against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = _HASHER.hash("not-a-real-password-used-only-for-timing")

ROLES = ("admin", "manager", "viewer", "auditor")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user (None) costs the same time."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    """Who calls: from a verified access token."""

    user_id: UUID
    org_id: UUID
    role: str
    email: str


class TokenError(Exception):
    """The token is missing, malformed, expired, or not ours."""


def issue_access_token(settings: JwtSettings, who: Principal, now: float | None = None) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": str(who.user_id),
        "org": str(who.org_id),
        "role": who.role,
        "email": who.email,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": issued,
        "exp": issued + settings.access_ttl_s,
        "typ": "access",
    }
    return jwt.encode(claims, settings.secret, algorithm=settings.algorithm)


def verify_access_token(settings: JwtSettings, token: str) -> Principal:
    """Decode and check signature, algorithm, exp, iat, iss, aud and type."""
    try:
        claims = jwt.decode(
            token,
            settings.secret,
            algorithms=[settings.algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("invalid token") from exc
    if claims.get("typ") != "access" or claims.get("role") not in ROLES:
        raise TokenError("invalid token")
    try:
        return Principal(
            UUID(claims["sub"]), UUID(claims["org"]), claims["role"], str(claims.get("email", ""))
        )
    except (KeyError, ValueError) as exc:
        raise TokenError("invalid token") from exc
