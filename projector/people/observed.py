"""What a driver observation says about a platform identity: its fields and matching keys."""

from __future__ import annotations

import msgspec

from contracts import bolt, uber
from contracts.envelope import EventEnvelope
from contracts.people import identity_id
from projector.people.keys import DriverKeys, driver_keys

_UBER = msgspec.json.Decoder(uber.UberDriver)
_BOLT = msgspec.json.Decoder(bolt.BoltDriver)

DRIVER_EVENTS = frozenset({uber.DRIVER_OBSERVED, bolt.DRIVER_OBSERVED})


class ObservedIdentity(msgspec.Struct, frozen=True):
    """One platform driver as its latest observation describes it."""

    identity_id: str
    provider: str
    driver_id: str
    account_id: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    plate: str | None
    keys: DriverKeys

    @property
    def display_name(self) -> str:
        """The name a new person gets from this identity (its id when it has none)."""
        name = f"{self.first_name or ''} {self.last_name or ''}".strip()
        return name or self.identity_id


def observed_identity(event: EventEnvelope) -> ObservedIdentity:
    """The identity an Uber or Bolt driver observation describes."""
    fields: tuple[str | None, ...]
    if event.event_type == uber.DRIVER_OBSERVED:
        u = _UBER.decode(event.record)
        phone = u.phoneNumber.e164() if u.phoneNumber else None
        fields = (u.firstName, u.lastName, u.email, phone, None)
    else:
        b = _BOLT.decode(event.record)
        plate = b.active_vehicle.reg_number if b.active_vehicle else None
        fields = (b.first_name, b.last_name, b.email, b.phone, plate)
    first, last, email, phone, plate = fields
    keys = driver_keys(first_name=first, last_name=last, email=email, phone=phone, plate=plate)
    return ObservedIdentity(
        identity_id(event.provider, event.entity_id), event.provider, event.entity_id,
        event.account_id, first, last, email, phone, plate, keys,
    )  # fmt: skip
