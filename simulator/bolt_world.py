"""The Bolt side of the simulated world: companies, drivers and vehicles.

Company ids are integers (70001, 70002, ...); vehicles have an integer ``id``
and a ``uuid``. Bolt's driver of slot ``i`` is the person ``platforms`` puts
there: some also drive for Uber (under another id, with the same car but not
always the same phone, e-mail or spelling), the others only for Bolt. People
are spread over companies round-robin; a ``driver_uuid`` is drawn per company
(docs/PROVIDERS.md §2.2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from simulator.ids import uuid4_from
from simulator.people import Person, car_of, changed_number
from simulator.platforms import bolt_person, written_phone
from simulator.roster import Roster, RosterWorld, tagged_email

COMPANY_NAMES = ("Sim VTC Paris", "Sim VTC Lyon", "Sim VTC Marseille", "Sim VTC Nice")
FIRST_COMPANY_ID = 70001
FIRST_VEHICLE_ID = 80001


@dataclass(frozen=True)
class BoltCompany:
    """A fleet company the client credentials may read."""

    company_id: int
    name: str
    partner_uuid: str


@dataclass(frozen=True)
class BoltVehicle:
    """A vehicle of a company."""

    id: int
    uuid: str
    company_id: int
    make: str
    model: str
    year: int
    color: str
    reg_number: str
    vin: str
    licence_number: str


@dataclass(frozen=True)
class BoltDriver:
    """A driver of one company."""

    person_index: int
    driver_uuid: str
    company_id: int
    partner_uuid: str
    first_name: str
    last_name: str
    email: str
    phone: str  # international form, "+33612345678"
    state: str  # "active" | "suspended" | "deactivated"
    driver_score: int
    driver_rating: float
    vehicle_id: int


def build_companies(seed: int, count: int) -> list[BoltCompany]:
    """Companies 70001, 70002, ... with deterministic partner uuids."""
    companies = []
    for i in range(count):
        rng = random.Random(f"{seed}:bolt:company:{i}")
        name = COMPANY_NAMES[i % len(COMPANY_NAMES)] + (f" {i + 1}" if i >= 4 else "")
        companies.append(BoltCompany(FIRST_COMPANY_ID + i, name, uuid4_from(rng)))
    return companies


def build_vehicle(seed: int, index: int, owner: int, company_id: int) -> BoltVehicle:
    """Bolt's record of the car of slot ``index``'s driver, person ``owner``."""
    rng = random.Random(f"{seed}:bolt:vehicle:{index}")
    car = car_of(seed, owner)
    return BoltVehicle(
        id=FIRST_VEHICLE_ID + index,
        uuid=uuid4_from(rng),
        company_id=company_id,
        make=car.make,
        model=car.model,
        year=car.year,
        color=car.color,
        reg_number=car.license_plate,
        vin=car.vin,
        licence_number=f"VTC-{rng.randrange(10**5, 10**6)}",
    )


def build_driver(
    seed: int, index: int, who: Person, phone_form: str, company: BoltCompany
) -> BoltDriver:
    """The driver of slot ``index`` in ``company``: ``who``, phone written in ``phone_form``."""
    rng = random.Random(f"{seed}:bolt:driver:{company.company_id}:{index}")
    return BoltDriver(
        person_index=who.index,
        driver_uuid=uuid4_from(rng),
        company_id=company.company_id,
        partner_uuid=company.partner_uuid,
        first_name=who.first_name,
        last_name=who.last_name,
        email=who.email,
        phone=written_phone(who.phone_national, phone_form),
        state="active",
        driver_score=rng.randrange(80, 101),
        driver_rating=round(rng.uniform(4.6, 5.0), 2),
        vehicle_id=FIRST_VEHICLE_ID + index,
    )


class BoltWorld(RosterWorld[BoltDriver]):
    """Mutable, deterministic state of the Bolt side."""

    def __init__(self, seed: int, n_drivers: int, n_companies: int, both_share: float) -> None:
        self.seed, self._both_share = seed, both_share
        self._companies = build_companies(seed, n_companies)
        self._vehicles: dict[int, BoltVehicle] = {}
        self._roster = Roster(seed, "bolt", self._onboard, lambda d: d.driver_uuid, _mutated)
        self._roster.add(n_drivers)

    def _onboard(self, index: int) -> BoltDriver:
        company = self._companies[index % len(self._companies)]
        who, phone_form = bolt_person(self.seed, self._both_share, index)
        vehicle = build_vehicle(self.seed, index, who.index, company.company_id)
        self._vehicles[vehicle.id] = vehicle
        return build_driver(self.seed, index, who, phone_form, company)

    def companies(self) -> list[BoltCompany]:
        """Companies the client may read, by id."""
        return list(self._companies)

    def company(self, company_id: int) -> BoltCompany | None:
        """The company with this id, if the client may read it."""
        return next((c for c in self._companies if c.company_id == company_id), None)

    def drivers(self, company_id: int) -> list[BoltDriver]:
        """Live drivers of a company, ordered by ``driver_uuid`` (stable offsets)."""
        return [d for d in self._roster.all() if d.company_id == company_id]

    def all_drivers(self) -> list[BoltDriver]:
        """Every live driver of every company, ordered by ``driver_uuid``."""
        return self._roster.all()

    def vehicles(self, company_id: int) -> list[BoltVehicle]:
        """Vehicles of a company, ordered by id."""
        return sorted(
            (v for v in self._vehicles.values() if v.company_id == company_id), key=lambda v: v.id
        )

    def vehicle(self, vehicle_id: int) -> BoltVehicle | None:
        """The vehicle with this integer id, if any."""
        return self._vehicles.get(vehicle_id)


def _mutated(rng: random.Random, driver: BoltDriver, batch: int) -> BoltDriver:
    return replace(
        driver, phone=f"+33{changed_number(rng)}", email=tagged_email(driver.email, batch)
    )
