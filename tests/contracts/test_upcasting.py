"""Old records reach projections in the current shape; current ones pass untouched."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from contracts import catalog
from contracts.envelope import EventEnvelope
from contracts.upcasting import UpcasterRegistry, UpcastError

EVENT = "test.thing.observed"


class ThingV1(msgspec.Struct, frozen=True):
    name: str


class ThingV2(msgspec.Struct, frozen=True):
    first: str
    last: str


class ThingV3(msgspec.Struct, frozen=True):
    first: str
    last: str
    source: str


def upcast_v1_v2(record: dict[str, Any]) -> dict[str, Any]:
    first, _, last = record.pop("name").partition(" ")
    return {**record, "first": first, "last": last}


def upcast_v2_v3(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "source": "legacy"}


@pytest.fixture(scope="module")
def contracts() -> catalog.Catalog:
    """A catalog of the test's own: the process-wide one stays as the code registers it."""
    things = catalog.Catalog()
    for version, struct in enumerate((ThingV1, ThingV2, ThingV3), start=1):
        things.register(EVENT, version, struct)
    return things


@pytest.fixture(scope="module")
def registry(contracts: catalog.Catalog) -> UpcasterRegistry:
    reg = UpcasterRegistry(contracts)
    reg.register(EVENT, 1, upcast_v1_v2)
    reg.register(EVENT, 2, upcast_v2_v3)
    return reg


def _envelope(version: int, record: bytes, event_type: str = EVENT) -> EventEnvelope:
    now = datetime.now(UTC)
    return EventEnvelope(
        position=1,
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=version,
        provider="test",
        org_id=uuid.uuid4(),
        account_id="a",
        entity_id="e",
        observed_at=now,
        recorded_at=now,
        fetch_id=None,
        record=msgspec.Raw(record),
    )


def test_a_v1_record_is_chained_up_to_the_current_version(registry: UpcasterRegistry) -> None:
    version, record = registry.upcast(EVENT, 1, b'{"name": "Rui Costa", "extra": 1}')

    assert version == 3
    assert json.loads(record) == {"first": "Rui", "last": "Costa", "source": "legacy", "extra": 1}
    assert msgspec.json.decode(record, type=ThingV3) == ThingV3("Rui", "Costa", "legacy")


def test_a_current_record_keeps_its_exact_bytes(registry: UpcasterRegistry) -> None:
    raw = b'{ "first":"A",  "last":"B", "source":"x" }'
    event = _envelope(3, raw)

    assert registry.upcast_envelope(event) is event
    assert registry.upcast(EVENT, 3, raw) == (3, raw)


def test_the_envelope_carries_the_new_version(registry: UpcasterRegistry) -> None:
    upcast = registry.upcast_envelope(_envelope(2, b'{"first": "A", "last": "B"}'))

    assert upcast.schema_version == 3
    assert json.loads(bytes(upcast.record))["source"] == "legacy"


def test_an_unknown_event_type_passes_through(registry: UpcasterRegistry) -> None:
    event = _envelope(1, b"{}", event_type="nobody.registered.this")
    assert registry.upcast_envelope(event) is event


def test_a_missing_step_is_an_error_not_a_silent_pass(contracts: catalog.Catalog) -> None:
    empty = UpcasterRegistry(contracts)
    with pytest.raises(UpcastError, match="no upcaster from v1 to v2"):
        empty.upcast(EVENT, 1, b'{"name": "x"}')


def test_a_step_cannot_be_registered_twice(registry: UpcasterRegistry) -> None:
    with pytest.raises(UpcastError):
        registry.register(EVENT, 1, upcast_v2_v3)
