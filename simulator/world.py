"""The Uber side of the simulated world: organisations, drivers and vehicles.

Everything is derived from the seed through string-keyed ``random.Random``
instances (``f"{seed}:uber:driver:{i}"``), so the same seed always builds the
same world, byte for byte, whatever order things are asked for in. Run-time
changes (mutate, add, remove) go through a ``Roster`` and are deterministic too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from simulator.ids import encrypted_entity_id, encrypted_org_id, uuid4_from
from simulator.people import Car, Person, car_of, changed_number
from simulator.platforms import uber_person
from simulator.roster import Roster, RosterWorld, tagged_email

ORG_NAMES = ("Sim VTC Paris", "Sim VTC Lyon", "Sim VTC Marseille", "Sim VTC Nice", "Sim VTC Lille")


@dataclass(frozen=True)
class UberOrg:
    """A supplier organisation as ``GET /v1/vehicle-suppliers/orgs`` lists it."""

    org_id: str  # encrypted form, the one REST endpoints take
    name: str
    parent_org_id: str | None


@dataclass(frozen=True)
class UberVehicle:
    """A vehicle registered with an organisation."""

    vehicle_id: str
    vehicle_id_encrypted: str
    org_id: str
    license_plate: str
    make: str
    model: str
    year: int
    vin: str
    color: str


@dataclass(frozen=True)
class UberDriver:
    """A driver linked directly to one organisation."""

    person_index: int
    driver_id: str  # raw UUID
    driver_id_encrypted: str
    org_id: str
    first_name: str
    last_name: str
    email: str
    phone_country: str
    phone_number: str
    vehicle_ids: tuple[str, ...]


def build_orgs(seed: int, count: int) -> list[UberOrg]:
    """The root organisation followed by ``count - 1`` children of it."""
    orgs: list[UberOrg] = []
    for i in range(count):
        rng = random.Random(f"{seed}:uber:org:{i}")
        name = ORG_NAMES[i % len(ORG_NAMES)] + (f" {i // len(ORG_NAMES) + 1}" if i >= 5 else "")
        parent = orgs[0].org_id if orgs else None
        orgs.append(UberOrg(encrypted_org_id(rng), name, parent))
    return orgs


def build_driver(seed: int, index: int, who: Person, org_id: str) -> tuple[UberDriver, UberVehicle]:
    """The driver of slot ``index`` (``who``, as Uber knows them) and the vehicle assigned."""
    rng = random.Random(f"{seed}:uber:driver:{index}")
    vehicle = build_vehicle(rng, org_id, car_of(seed, who.index))
    driver = UberDriver(
        person_index=who.index,
        driver_id=uuid4_from(rng),
        driver_id_encrypted=encrypted_entity_id(rng),
        org_id=org_id,
        first_name=who.first_name,
        last_name=who.last_name,
        email=who.email,
        phone_country="+33",
        phone_number=who.phone_national,
        vehicle_ids=(vehicle.vehicle_id,),
    )
    return driver, vehicle


def build_vehicle(rng: random.Random, org_id: str, car: Car) -> UberVehicle:
    """Uber's record of ``car``, with ids drawn from ``rng``."""
    return UberVehicle(
        vehicle_id=uuid4_from(rng),
        vehicle_id_encrypted=encrypted_entity_id(rng),
        org_id=org_id,
        license_plate=car.license_plate,
        make=car.make,
        model=car.model,
        year=car.year,
        vin=car.vin,
        color=car.color,
    )


class UberWorld(RosterWorld[UberDriver]):
    """Mutable, deterministic state of the Uber side."""

    def __init__(self, seed: int, n_drivers: int, n_orgs: int, both_share: float) -> None:
        self.seed, self._both_share = seed, both_share
        self._orgs = build_orgs(seed, n_orgs)
        self._vehicles: dict[str, UberVehicle] = {}
        self._roster = Roster(seed, "uber", self._onboard, lambda d: d.driver_id, _mutated)
        self._roster.add(n_drivers)

    def _onboard(self, index: int) -> UberDriver:
        org_id = self._orgs[index % len(self._orgs)].org_id
        who = uber_person(self.seed, self._both_share, index)
        driver, vehicle = build_driver(self.seed, index, who, org_id)
        self._vehicles[vehicle.vehicle_id] = vehicle
        return driver

    # -- reads -----------------------------------------------------------------

    def orgs(self) -> list[UberOrg]:
        """All organisations the simulated client app is registered to."""
        return list(self._orgs)

    def org(self, org_id: str) -> UberOrg | None:
        """The organisation with this encrypted id, if any."""
        return next((o for o in self._orgs if o.org_id == org_id), None)

    def drivers(self, org_id: str) -> list[UberDriver]:
        """Drivers linked directly to ``org_id``, ordered by raw driver id."""
        return [d for d in self._roster.all() if d.org_id == org_id]

    def all_drivers(self) -> list[UberDriver]:
        """Every live driver, ordered by raw driver id."""
        return self._roster.all()

    def driver(self, driver_id: str) -> UberDriver | None:
        """The live driver with this raw id, if any."""
        return self._roster.get(driver_id)

    def vehicles(self, org_id: str) -> list[UberVehicle]:
        """Vehicles of ``org_id`` (offboarded drivers' cars stay), ordered by vehicle id."""
        found = (v for v in self._vehicles.values() if v.org_id == org_id)
        return sorted(found, key=lambda v: v.vehicle_id)

    def vehicle(self, vehicle_id: str) -> UberVehicle | None:
        """The vehicle with this id, if any."""
        return self._vehicles.get(vehicle_id)


def _mutated(rng: random.Random, driver: UberDriver, batch: int) -> UberDriver:
    """The driver after changing phones and e-mail address."""
    phone = changed_number(rng)
    return replace(driver, phone_number=phone, email=tagged_email(driver.email, batch))
