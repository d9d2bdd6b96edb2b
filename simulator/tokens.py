"""Live bearer tokens of one provider, with expiry read from the injected clock."""

from __future__ import annotations

import base64
import json
import secrets
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.clock import Clock


@dataclass(frozen=True)
class Grant:
    """What a live token allows, and until when."""

    scopes: frozenset[str]
    expires_at: datetime


def opaque_token() -> str:
    """A random opaque access token (not derived from the seed: tokens are secrets)."""
    return secrets.token_urlsafe(32)


class TokenStore:
    """Issued tokens, oldest first.

    Minting beyond ``max_live`` evicts the oldest token, as Uber documents for
    its 100-token cap; the evicted token then gets 401 like an expired one.
    """

    def __init__(
        self,
        clock: Clock,
        ttl_s: int,
        max_live: int,
        make_token: Callable[[frozenset[str], datetime], str] | None = None,
    ) -> None:
        self._clock = clock
        self._ttl = timedelta(seconds=ttl_s)
        self._max_live = max_live
        self._make_token = make_token or (lambda _scopes, _exp: opaque_token())
        self._grants: OrderedDict[str, Grant] = OrderedDict()

    @property
    def ttl_s(self) -> int:
        """Lifetime of a new token in seconds."""
        return int(self._ttl.total_seconds())

    def mint(self, scopes: frozenset[str]) -> str:
        """Issue a token for ``scopes`` and return it."""
        self._drop_expired()
        expires_at = self._clock.now() + self._ttl
        token = self._make_token(scopes, expires_at)
        self._grants[token] = Grant(scopes, expires_at)
        while len(self._grants) > self._max_live:
            self._grants.popitem(last=False)
        return token

    def grant(self, token: str) -> Grant | None:
        """The grant behind ``token`` if it is known and unexpired, else ``None``."""
        found = self._grants.get(token)
        if found is None or found.expires_at <= self._clock.now():
            return None
        return found

    def expire_all(self) -> int:
        """Invalidate every token; return how many were live."""
        self._drop_expired()
        count = len(self._grants)
        self._grants.clear()
        return count

    def live_count(self) -> int:
        """Number of unexpired tokens."""
        self._drop_expired()
        return len(self._grants)

    def _drop_expired(self) -> None:
        now = self._clock.now()
        for token in [t for t, g in self._grants.items() if g.expires_at <= now]:
            del self._grants[token]


def jwt_shaped(issuer: str, subject: str) -> Callable[[frozenset[str], datetime], str]:
    """A token maker producing JWT-shaped strings, as Bolt's OIDC server issues.

    The signature is random bytes: clients must treat the token as opaque, and
    nothing here verifies it; the ``TokenStore`` lookup is what authorises.
    """

    def make(scopes: frozenset[str], expires_at: datetime) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": "sim"}
        claims = {
            "iss": issuer,
            "sub": subject,
            "scope": " ".join(sorted(scopes)),
            "exp": int(expires_at.timestamp()),
            "jti": secrets.token_hex(16),
        }
        parts = [_b64_json(header), _b64_json(claims), _b64(secrets.token_bytes(64))]
        return ".".join(parts)

    return make


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _b64_json(value: Mapping[str, object]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode("utf-8"))
