"""The one exception hierarchy of the provider boundary.

::

    ProviderError
     ├── ProviderUnavailable        retried: 5xx, timeouts, connection errors
     │    ├── ProviderRateLimited   429 (carries Retry-After when the provider sent one)
     │    └── ProviderBadResponse   a body that does not parse (e.g. truncated JSON)
     ├── ProviderAuthError          credentials refused, or 401 again after a fresh token
     └── ProviderRejected           any other 4xx, or a business error in a 200 envelope

httpx errors are mapped to the most specific class at the client edge (``raise … from``).
Messages never contain a credential or a token.
"""

from __future__ import annotations


class ProviderError(Exception):
    """Something went wrong talking to a provider."""

    def __init__(self, provider: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.status = status


class ProviderUnavailable(ProviderError):
    """A transient failure: the same call may succeed later."""


class ProviderRateLimited(ProviderUnavailable):
    """429: slow down; ``retry_after`` seconds when the provider said so."""

    def __init__(self, provider: str, message: str, retry_after: float | None) -> None:
        super().__init__(provider, message, 429)
        self.retry_after = retry_after


class ProviderBadResponse(ProviderUnavailable):
    """The provider answered 2xx with a body we cannot parse."""


class ProviderAuthError(ProviderError):
    """The provider refused our credentials or our freshly minted token."""


class ProviderRejected(ProviderError):
    """The provider refused the request itself (bad parameters, unknown account...)."""
