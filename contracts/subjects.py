"""The NATS subject scheme.

Events: ``fleet.events.<org_id>.<provider>.<entity>.<verb>``, e.g.
``fleet.events.5b1e….uber.driver.observed``; consumers filter on ``fleet.events.>`` or a
narrower pattern (one tenant, one provider). The stream holding them is ``FLEET_EVENTS``.
"""

from __future__ import annotations

from uuid import UUID

EVENTS_STREAM = "FLEET_EVENTS"
EVENTS_PREFIX = "fleet.events"
ALL_EVENTS = f"{EVENTS_PREFIX}.>"


def event_subject(org_id: UUID | str, event_type: str) -> str:
    """The subject an event of ``event_type`` for tenant ``org_id`` is published on."""
    return f"{EVENTS_PREFIX}.{org_id}.{event_type}"
