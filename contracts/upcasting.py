"""Upcasters: old versions of a record brought to the current contract on read.

The log keeps every record as it was observed, under the version it was decoded with. When
a contract gets a breaking change (version N+1), its module registers one function from N
to N+1 on the JSON object of the record::

    @upcaster("bolt.order.observed", 1)
    def upcast_v1_v2(record: dict[str, Any]) -> dict[str, Any]:
        return {**record, "price": {"amount": record["price"], "currency": "EUR"}}

:func:`upcast` chains ``upcast_v1_v2``, ``upcast_v2_v3``… up to the newest version in the
catalog; projections only ever see the current shape. A record already current is returned
untouched (same bytes); an event type the catalog does not know passes through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from contracts import catalog
from contracts.envelope import EventEnvelope

RecordObject = dict[str, Any]
Upcaster = Callable[[RecordObject], RecordObject]

_DECODER = msgspec.json.Decoder(dict[str, Any])
_ENCODER = msgspec.json.Encoder()


class UpcastError(Exception):
    """A record cannot be brought to the current version (no upcaster, or it failed)."""


class UpcasterRegistry:
    """Functions from version N to N+1, per event type, up to a catalog's newest version.

    The process-wide registry is :data:`UPCASTERS` (on the discovered catalog); tests build
    their own on a catalog of their own.
    """

    def __init__(self, contracts: catalog.Catalog | None = None) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}
        self._catalog = contracts

    def _current(self, event_type: str) -> int | None:
        contracts = self._catalog or catalog.default_catalog()
        return contracts.current_version(event_type)

    def _target(self, event_type: str, version: int) -> int | None:
        """The version to upcast to, or None when the record is current (or unknown)."""
        current = self._current(event_type)
        return current if current is not None and version < current else None

    def register(self, event_type: str, from_version: int, fn: Upcaster) -> None:
        """Register ``fn`` as the step from ``from_version`` to ``from_version + 1``."""
        known = self._steps.get((event_type, from_version))
        if known is not None and known is not fn:
            raise UpcastError(f"{event_type}: an upcaster from v{from_version} already exists")
        self._steps[(event_type, from_version)] = fn

    def has_step(self, event_type: str, from_version: int) -> bool:
        return (event_type, from_version) in self._steps

    def upcast(self, event_type: str, version: int, record: bytes) -> tuple[int, bytes]:
        """``record`` (JSON bytes at ``version``) at the current version: (version, bytes)."""
        target = self._target(event_type, version)
        if target is None:
            return version, record
        obj = _DECODER.decode(record)
        while version < target:
            step = self._steps.get((event_type, version))
            if step is None:
                raise UpcastError(f"{event_type}: no upcaster from v{version} to v{version + 1}")
            obj = step(obj)
            version += 1
        return version, _ENCODER.encode(obj)

    def upcast_envelope(self, event: EventEnvelope) -> EventEnvelope:
        """``event`` with its record at the current version of its contract."""
        if self._target(event.event_type, event.schema_version) is None:
            return event  # the common case: no copy of the record
        version, record = self.upcast(event.event_type, event.schema_version, bytes(event.record))
        if version == event.schema_version:
            return event
        return msgspec.structs.replace(event, schema_version=version, record=msgspec.Raw(record))


UPCASTERS = UpcasterRegistry()


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: register the function as ``upcast_v{N}_v{N+1}`` of ``event_type``."""

    def decorate(fn: Upcaster) -> Upcaster:
        UPCASTERS.register(event_type, from_version, fn)
        return fn

    return decorate


def upcast(event_type: str, version: int, record: bytes) -> tuple[int, bytes]:
    """Bring ``record`` to the current version of ``event_type`` (default registry)."""
    return UPCASTERS.upcast(event_type, version, record)


def upcast_envelope(event: EventEnvelope) -> EventEnvelope:
    """The hook the projector runs every event through before ``apply``."""
    return UPCASTERS.upcast_envelope(event)
