"""OAuth2 client-credentials auth for httpx: a cached token, minted again once on a 401.

Both providers use this flow (Uber: 30-day tokens; Bolt: 10-minute tokens, no refresh
token). The token request goes through the same httpx client and transport as the calls,
so a test transport or the simulator sees it too. The token is only ever held here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator

import httpx
import msgspec

from ingest.errors import ProviderAuthError, ProviderRateLimited, ProviderUnavailable
from ingest.metrics import TOKEN_MINTS


class _TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: float = 3600.0
    token_type: str = "Bearer"  # noqa: S105 (a token kind, not a secret)


_TOKEN = msgspec.json.Decoder(_TokenResponse)


class ClientCredentials(httpx.Auth):
    """Bearer auth from a client-credentials token endpoint."""

    requires_response_body = True

    def __init__(
        self,
        *,
        provider: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str,
        clock: Callable[[], float] = time.monotonic,
        margin_s: float = 60.0,
    ) -> None:
        self._provider = provider
        self._token_url = token_url
        self._form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "client_credentials",
            "scope": scope,
        }
        self._clock = clock
        self._margin_s = margin_s
        self._token: str | None = None
        self._expires_at = 0.0
        self.mints = 0

    def __repr__(self) -> str:  # never show the secret or the token
        return f"ClientCredentials(provider={self._provider!r}, token_url={self._token_url!r})"

    def _valid(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # httpx drives this generator for sync and async clients, reading each response's
        # body first (requires_response_body) so the token response can be parsed here.
        if not self._valid():
            self._accept((yield self._token_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:  # expired or revoked early: one fresh token, once
            self._accept((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    def _token_request(self) -> httpx.Request:
        return httpx.Request(
            "POST", self._token_url, data=self._form, headers={"Accept": "application/json"}
        )

    def _accept(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 429:
            raise ProviderRateLimited(self._provider, "token endpoint rate limited", None)
        if status >= 500:
            raise ProviderUnavailable(self._provider, f"token endpoint answered {status}", status)
        if status != 200:
            raise ProviderAuthError(self._provider, _token_error(response), status)
        try:
            token = _TOKEN.decode(response.content)
        except msgspec.DecodeError as exc:
            raise ProviderAuthError(self._provider, "token endpoint sent no token") from exc
        self._token = token.access_token
        self._expires_at = self._clock() + max(token.expires_in - self._margin_s, 0.0)
        self.mints += 1
        TOKEN_MINTS.labels(self._provider).inc()


def _token_error(response: httpx.Response) -> str:
    """The provider's error code (e.g. invalid_client, invalid_scope), never the request."""
    try:
        code = msgspec.json.decode(response.content).get("error", "unknown_error")
    except (msgspec.DecodeError, AttributeError):
        code = "unknown_error"
    return f"token request refused ({response.status_code} {code})"


def oauth_client(
    *, provider: str, token_url: str, client_id: str, client_secret: str, scope: str
) -> httpx.AsyncClient:
    """An httpx client authenticating every call with client-credentials tokens."""
    auth = ClientCredentials(
        provider=provider,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        scope=scope,
    )
    return httpx.AsyncClient(
        auth=auth, timeout=httpx.Timeout(30.0, connect=10.0), headers={"Accept": "application/json"}
    )
