"""The event envelope: what the log stores around a provider record, and what NATS carries."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class EventEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    """One appended event, as published on JetStream and read back from the log.

    ``record`` holds the provider's record exactly as received (raw JSON bytes), so every
    consumer decodes the same bytes the auditor sees.
    """

    position: int
    event_id: UUID
    event_type: str
    schema_version: int
    provider: str
    org_id: UUID
    account_id: str
    entity_id: str
    observed_at: datetime
    recorded_at: datetime
    fetch_id: int | None
    record: msgspec.Raw


ENVELOPE_ENCODER = msgspec.json.Encoder()
ENVELOPE_DECODER = msgspec.json.Decoder(EventEnvelope)


def encode_envelope(envelope: EventEnvelope) -> bytes:
    return ENVELOPE_ENCODER.encode(envelope)


def decode_envelope(data: bytes) -> EventEnvelope:
    return ENVELOPE_DECODER.decode(data)
