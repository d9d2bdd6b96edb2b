"""Injected faults, one ``ProviderChaos`` per provider.

``POST /_sim/chaos`` *replaces* a provider's settings with the body it sends
(omitted fields fall back to "no fault"), so a test always knows exactly which
faults are armed. Counters (``*_next``) are consumed by API calls only, never by
token calls (except ``token_fail_next``, which only token calls consume), and
only by the provider they were armed for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

PROVIDERS = ("uber", "bolt")


@dataclass
class ProviderChaos:
    """Faults armed for one provider."""

    fail_next: int = 0  # next N API calls answer ``status``
    status: int = 503
    retry_after: int | None = None  # seconds; sets a Retry-After header on injected failures
    malformed_next: int = 0  # next N non-empty list pages lose one record's id field
    truncated_next: int = 0  # next N successful bodies are cut in half (invalid JSON)
    transient_next: int = 0  # Bolt only: next N calls answer HTTP 200 with code 999 and no data
    token_fail_next: int = 0  # next N token calls answer ``status`` (RFC 6749 error body)
    delay_ms: int = 0  # every API call waits this long before answering
    extra_fields: bool = False  # add unknown fields to every object of successful bodies

    def take_failure(self) -> bool:
        """Consume one injected failure if armed."""
        return self._take("fail_next")

    def take_malformed(self) -> bool:
        """Consume one malformed page if armed."""
        return self._take("malformed_next")

    def take_truncated(self) -> bool:
        """Consume one truncated body if armed."""
        return self._take("truncated_next")

    def take_token_failure(self) -> bool:
        """Consume one injected token-endpoint failure if armed."""
        return self._take("token_fail_next")

    def take_transient(self) -> bool:
        """Consume one transient business error if armed."""
        return self._take("transient_next")

    def _take(self, name: str) -> bool:
        left: int = getattr(self, name)
        if left <= 0:
            return False
        setattr(self, name, left - 1)
        return True

    def as_dict(self) -> dict[str, Any]:
        """JSON view of the armed faults."""
        return asdict(self)


class ChaosError(ValueError):
    """A ``/_sim/chaos`` body that cannot be applied."""


class Chaos:
    """Chaos state of every provider."""

    def __init__(self) -> None:
        self._by_provider = {name: ProviderChaos() for name in PROVIDERS}

    def of(self, provider: str) -> ProviderChaos:
        """The armed faults of ``provider``."""
        return self._by_provider[provider]

    def configure(self, body: Mapping[str, Any]) -> ProviderChaos:
        """Replace one provider's faults with those described by ``body``."""
        provider = body.get("provider", "uber")
        if provider not in PROVIDERS:
            raise ChaosError(f"provider must be one of {PROVIDERS}, got {provider!r}")
        unknown = set(body) - {"provider"} - {f.name for f in fields(ProviderChaos)}
        if unknown:
            raise ChaosError(f"unknown chaos fields: {sorted(unknown)}")
        chaos = parse_chaos(body)
        self._by_provider[provider] = chaos
        return chaos

    def reset(self) -> None:
        """Disarm every fault of every provider."""
        self._by_provider = {name: ProviderChaos() for name in PROVIDERS}

    def as_dict(self) -> dict[str, Any]:
        """JSON view of all providers' faults."""
        return {name: chaos.as_dict() for name, chaos in self._by_provider.items()}


def parse_chaos(body: Mapping[str, Any]) -> ProviderChaos:
    """Validate the fault fields of a chaos body."""
    counters = (
        "fail_next",
        "malformed_next",
        "truncated_next",
        "transient_next",
        "token_fail_next",
        "delay_ms",
    )
    values = {name: _non_negative_int(body, name, 0) for name in counters}
    status = _non_negative_int(body, "status", 503)
    if not 400 <= status <= 599:
        raise ChaosError("status must be an HTTP error status (400..599)")
    retry_after = body.get("retry_after")
    if retry_after is not None:
        retry_after = _non_negative_int(body, "retry_after", 0)
    extra = body.get("extra_fields", False)
    if not isinstance(extra, bool):
        raise ChaosError("extra_fields must be a boolean")
    return ProviderChaos(status=status, retry_after=retry_after, extra_fields=extra, **values)


def _non_negative_int(body: Mapping[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ChaosError(f"{name} must be a non-negative integer")
    return value
