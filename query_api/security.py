"""The API's JWTs (HS256, algorithm pinned, claims checked)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

import jwt

from core.config import JwtSettings
from core.passwords import ROLES


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
    return _decode(settings, token)[0]


def _decode(settings: JwtSettings, token: str) -> tuple[Principal, int]:
    """The principal of a valid token, and its expiry time (epoch seconds)."""
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
        who = Principal(
            UUID(claims["sub"]), UUID(claims["org"]), claims["role"], str(claims.get("email", ""))
        )
        return who, int(claims["exp"])
    except (KeyError, ValueError, TypeError) as exc:
        raise TokenError("invalid token") from exc


SUPABASE_AUDIENCE = "authenticated"


def supabase_email(secret: str, token: str) -> tuple[str, int]:
    """The e-mail and expiry of an access token issued by Supabase Auth (HS256, signed with
    the project's JWT secret, audience ``authenticated``); TokenError otherwise."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=SUPABASE_AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("invalid token") from exc
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise TokenError("invalid token")
    return email.strip(), int(claims["exp"])


class VerifiedTokens:
    """``verify_access_token`` with a memory of the tokens already verified, until they expire.

    A client sends the same access token on every request for its 15 minutes, and checking
    its HMAC and claims again each time costs more than the rest of a small request. The
    answer depends only on the token's bytes and the settings, except for expiry, which is
    checked again on every hit (``exp <= now`` is expired, as PyJWT decides with no leeway).
    Only valid tokens are remembered; at ``max_size`` entries the memory starts afresh.
    """

    def __init__(self, settings: JwtSettings, max_size: int = 10_000) -> None:
        self.settings = settings
        self.max_size = max_size
        self._known: dict[str, tuple[Principal, int]] = {}

    def remember(self, token: str, who: Principal, expires: int) -> None:
        """Keep a principal found another way (a Supabase token's user) until it expires."""
        if len(self._known) >= self.max_size:
            self._known.clear()
        self._known[token] = (who, expires)

    def verify(self, token: str) -> Principal:
        known = self._known.get(token)
        if known is None:
            known = _decode(self.settings, token)
            if len(self._known) >= self.max_size:
                self._known.clear()
            self._known[token] = known
        who, expires = known
        if expires <= time.time():
            del self._known[token]
            raise TokenError("token expired")
        return who
