"""Commands sent to the processes over NATS (JetStream stream ``FLEET_COMMANDS``)."""

from __future__ import annotations

from uuid import UUID

import msgspec


class SyncRequested(msgspec.Struct, frozen=True, tag="sync.requested.v1", kw_only=True):
    """An admin asked for a sync of one resource now; the run is already recorded, queued."""

    run_id: UUID
    org_id: UUID
    provider: str
    resource: str
    requested_by: UUID | None = None


SYNC_ENCODER = msgspec.json.Encoder()
SYNC_DECODER = msgspec.json.Decoder(SyncRequested)
