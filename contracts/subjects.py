"""The NATS subject scheme.

Events: ``fleet.events.<org_id>.<provider>.<entity>.<verb>``, e.g.
``fleet.events.5b1e….uber.driver.observed``; consumers filter on ``fleet.events.>`` or a
narrower pattern (one tenant, one provider). The stream holding them is ``FLEET_EVENTS``.

Commands: ``fleet.commands.sync.<org_id>.<provider>.<resource>`` in the work-queue stream
``FLEET_COMMANDS`` (each command taken by one ingest process).
"""

from __future__ import annotations

from uuid import UUID

EVENTS_STREAM = "FLEET_EVENTS"
EVENTS_PREFIX = "fleet.events"
ALL_EVENTS = f"{EVENTS_PREFIX}.>"


def event_subject(org_id: UUID | str, event_type: str) -> str:
    """The subject an event of ``event_type`` for tenant ``org_id`` is published on."""
    return f"{EVENTS_PREFIX}.{org_id}.{event_type}"


COMMANDS_STREAM = "FLEET_COMMANDS"
COMMANDS_PREFIX = "fleet.commands"


def sync_subject(org_id: UUID | str, provider: str, resource: str) -> str:
    """``fleet.commands.sync.<org_id>.<provider>.<resource>``: a sync asked for now."""
    return f"{COMMANDS_PREFIX}.sync.{org_id}.{provider}.{resource}"
