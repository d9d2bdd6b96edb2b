"""The Bolt record kinds: entity type, event type and entity id of each resource."""

from __future__ import annotations

import msgspec

from contracts import bolt as c
from ingest.pages import RecordKind

COMPANY = RecordKind(
    "company",
    c.COMPANY_OBSERVED,
    c.COMPANY_OBSERVED_VERSION,
    c.BoltCompany,
    lambda company: str(company.company_id),
)
DRIVER = RecordKind(
    "driver",
    c.DRIVER_OBSERVED,
    c.DRIVER_OBSERVED_VERSION,
    c.BoltDriver,
    lambda driver: driver.driver_uuid,
)
VEHICLE = RecordKind(
    "vehicle",
    c.VEHICLE_OBSERVED,
    c.VEHICLE_OBSERVED_VERSION,
    c.BoltVehicle,
    lambda vehicle: vehicle.key,
)
ORDER = RecordKind(
    "order",
    c.ORDER_OBSERVED,
    c.ORDER_OBSERVED_VERSION,
    c.BoltOrder,
    lambda order: order.order_reference,
)
STATE_LOG = RecordKind(
    "state_log",
    c.STATE_LOG_OBSERVED,
    c.STATE_LOG_OBSERVED_VERSION,
    c.BoltStateLog,
    lambda log: log.key,
)


def company_records(company_ids: list[int]) -> list[msgspec.Raw]:
    """getCompanies lists bare ids: each becomes the record ``{"company_id": id}``."""
    return [msgspec.Raw(msgspec.json.encode({"company_id": cid})) for cid in company_ids]
