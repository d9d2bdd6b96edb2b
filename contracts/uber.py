"""Uber Vehicle Suppliers records, decoded into the few fields we use.

Each Struct names the provider's own field names (camelCase) and ignores unknown fields, so
an extra field from Uber never breaks decoding; a missing required field does, and the
record is quarantined by the poller.
"""

from __future__ import annotations

import msgspec

DRIVER_OBSERVED = "uber.driver.observed"
DRIVER_OBSERVED_VERSION = 1
ORGANIZATION_OBSERVED = "uber.organization.observed"
ORGANIZATION_OBSERVED_VERSION = 1


class UberPhone(msgspec.Struct, frozen=True):
    countryCode: str | None = None
    number: str | None = None

    def e164(self) -> str | None:
        if not self.number:
            return None
        return f"{self.countryCode or ''}{self.number}"


class UberVehicleRef(msgspec.Struct, frozen=True):
    vehicleId: str


class UberDriver(msgspec.Struct, frozen=True):
    """An entry of ``driverInformation`` (GET /v1/vehicle-suppliers/drivers)."""

    driverId: str
    driverIdEncrypted: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    email: str | None = None
    phoneNumber: UberPhone | None = None
    assignedVehicles: list[UberVehicleRef] | None = None
    status: str | None = None


class UberOrganization(msgspec.Struct, frozen=True):
    """An entry of ``organizations`` (GET /v1/vehicle-suppliers/orgs)."""

    id: str
    name: str | None = None
    parent_org_id: str | None = None
    types: list[str] = []


class UberPaginationResult(msgspec.Struct, frozen=True):
    nextPageToken: str = ""


class UberDriversPage(msgspec.Struct, frozen=True):
    """A drivers page; records stay raw so each is decoded (or quarantined) on its own."""

    driverInformation: list[msgspec.Raw] | None = None
    paginationResult: UberPaginationResult = UberPaginationResult()


class UberOrganizationsPage(msgspec.Struct, frozen=True):
    organizations: list[msgspec.Raw] | None = None
