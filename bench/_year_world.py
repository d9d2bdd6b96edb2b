"""A year of a fleet as the simulator answers it: the raw records each hourly poll brings.

Everything comes from the simulator's own world and renderers: its rosters (``UberWorld``,
``BoltWorld``: who drives where, how each platform writes them down), each person's day
(``simulator.activity.day_plan``: sessions and trips, 55 % on Uber) and the functions that
render a transaction, an earner's payment, an analytics row, a status, an order and a state
log. So the records are byte for byte what the simulator serves; only the polling is
condensed: each resource is polled once an hour (Uber's daily metrics twice a day) and a
page carries the records that poll sees new or changed, never the unchanged ones a real
re-poll also lists (they cost a change-detection lookup and no event: docs/SCALING.md).

What each poll sees, as the simulator would answer at that moment:

- Uber transactions: a trip's transaction once it is paid; payments: per driver and hour
  bucket of payment, the earner's entry for that bucket; driver status: sampled every
  15 minutes from the hour before a session to the hour after, one record per change;
  daily metrics: every driver's row at noon (the day so far) and at midnight (the day),
  days off as zeros (the second, unchanged, is dropped by change detection);
- Bolt orders: each order when it closes, again when its price review lands later;
  state logs: each change (online, has an order, waiting, inactive).

Runs in a process of its own (``bench_year.py`` starts it), so that building a day of the
fleet overlaps appending the one before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from simulator.activity import DAY_S, DayPlan, DayPlans, History, Trip, overlap
from simulator.bolt_orders import render_order, render_state_log, state_changes
from simulator.bolt_roster import render_driver as bolt_driver
from simulator.bolt_roster import render_vehicle as bolt_vehicle
from simulator.bolt_world import BoltDriver, BoltWorld
from simulator.uber_ledger import TRIP, Txn
from simulator.uber_metrics import euros, hours
from simulator.uber_money import render_earner, render_transaction
from simulator.uber_roster import render_driver as uber_driver
from simulator.uber_roster import render_org
from simulator.uber_roster import render_vehicle as uber_vehicle
from simulator.uber_status import status_entries
from simulator.world import UberDriver, UberWorld

SEED = 19
SHARE = 0.4  # the simulator's default share of people on both platforms
FIRST_DAY = date(2025, 1, 1)
YEAR_DAYS = 365
HOUR_S = 3600
STATUS_EVERY_S = 900
METRIC_NAMES = ("HoursOnline", "HoursOnTrip", "TotalTrips", "TotalEarnings")  # the order asked
_ENCODE = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class Money:
    """What a record counts for in a person's week (``bench/_year_people.py``)."""

    person: int  # the simulator's person index
    provider: str
    at: int  # the moment that places it in a money week (unix seconds)
    figures: tuple[tuple[str, int], ...]


@dataclass
class RawPage:
    """One poll's new or changed records of one resource, as the provider sends them."""

    resource: str  # "uber.transactions", "bolt.orders"...
    at: int  # when the poll ran (unix seconds): the events' observed_at
    records: list[bytes] = field(default_factory=list)
    money: list[Money | None] = field(default_factory=list)
    bucket: int | None = None  # payments: the hour bucket; daily metrics: the day's midnight


PageKey = tuple[int, str, int | None]  # (at, resource, bucket): one poll's page


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _next_hour(ts: int) -> int:
    return (ts // HOUR_S + 1) * HOUR_S


class YearWorld:
    """The simulator's fleet of ``drivers`` per platform, day by day over the year."""

    def __init__(self, drivers: int, days: int = YEAR_DAYS) -> None:
        self.uber = UberWorld(SEED, drivers, 1, SHARE)
        self.bolt = BoltWorld(SEED, drivers, 1, SHARE)
        self.uber_drivers = self.uber.all_drivers()
        self.bolt_drivers = self.bolt.all_drivers()
        people = {d.person_index for d in self.uber_drivers + self.bolt_drivers}
        self.plans = DayPlans(SEED, capacity=3 * len(people) + 16)
        end = epoch(FIRST_DAY + timedelta(days=days + 1))
        self._bolt_h = History(self.plans, "bolt", end, days + 2)
        self._pages: dict[PageKey, RawPage] = {}

    def rosters(self) -> tuple[list[RawPage], list[RawPage]]:
        """Day one's Uber roster (org, drivers, vehicles), then Bolt's."""
        at = epoch(FIRST_DAY)
        org = self.uber.orgs()[0]
        vehicles = [self.uber.vehicle(v) for d in self.uber_drivers for v in d.vehicle_ids]
        uber = [
            RawPage("uber.organizations", at, [_ENCODE(render_org(org))], [None]),
            _page("uber.drivers", at, [uber_driver(d, True) for d in self.uber_drivers]),
            _page("uber.vehicles", at, [uber_vehicle(v) for v in vehicles if v]),
        ]
        company = self.bolt.companies()[0].company_id
        bolt = [
            RawPage("bolt.companies", at, [_ENCODE({"company_id": company})], [None]),
            _page("bolt.drivers", at, [bolt_driver(d, self._car(d)) for d in self.bolt_drivers]),
            _page("bolt.vehicles", at, [bolt_vehicle(v) for v in self.bolt.vehicles(company)]),
        ]
        return uber, bolt

    def day(self, n: int) -> dict[PageKey, RawPage]:
        """The polls that see day ``n``'s activity (some run after its midnight)."""
        self._pages: dict[PageKey, RawPage] = {}
        self._day(FIRST_DAY + timedelta(days=n))
        return self._pages

    def _add(self, resource: str, at: int, record: dict[str, Any], money: Money | None = None,
             bucket: int | None = None) -> None:  # fmt: skip
        key = (at, resource, bucket)
        page = self._pages.get(key)
        if page is None:
            page = self._pages[key] = RawPage(resource, at, bucket=bucket)
        page.records.append(_ENCODE(record))
        page.money.append(money)

    def _day(self, day: date) -> None:
        start = epoch(day)
        for d in self.uber_drivers:
            self._uber_day(d, day, start)
        for b in self.bolt_drivers:
            self._bolt_day(b, day, start)

    def _uber_day(self, driver: UberDriver, day: date, start: int) -> None:
        plan = self.plans(driver.person_index, day)
        trips = [t for t in plan.trips if t.provider == "uber" and t.paid_at is not None]
        buckets: dict[int, list[Txn]] = defaultdict(list)
        for trip in trips:
            paid = int(trip.paid_at or trip.closed_at)
            txn = Txn(trip, TRIP, paid)
            self._add("uber.transactions", _next_hour(paid), render_transaction(driver, txn),
                      Money(driver.person_index, "uber", paid, _uber_figures(trip)))  # fmt: skip
            buckets[paid // HOUR_S * HOUR_S].append(txn)
        for bucket, paid in buckets.items():
            self._add("uber.payments", bucket + 2 * HOUR_S, render_earner(driver, paid),
                      bucket=bucket)  # fmt: skip
        noon = self._metrics(driver, plan, start, start + DAY_S // 2)
        day = self._metrics(driver, plan, start, start + DAY_S)
        self._add("uber.daily_metrics", start + DAY_S // 2, noon, bucket=start)
        if day != noon:  # a day off reads the same at midnight: the poll appends nothing
            self._add("uber.daily_metrics", start + DAY_S, day, bucket=start)
        self._statuses(driver, plan.sessions, start)

    def _metrics(self, driver: UberDriver, plan: DayPlan, start: int, now: int) -> dict[str, Any]:
        """The driver's analytics row for the day starting at ``start``, as of ``now``: the
        simulator's four metrics (``simulator.uber_metrics``) from the day's plan alone, as
        Uber's trips and sessions never cross midnight."""
        trips = [t for t in plan.trips if t.provider == "uber"]
        online = sum(overlap(s.start, s.end, start, now) for s in plan.sessions)
        aboard = sum(overlap(t.pickup_at or 0, t.dropoff_at or 0, start, now) for t in trips)
        done = sum(1 for t in trips if t.dropoff_at is not None and t.dropoff_at < now)
        paid = sum(t.net_cents for t in trips if t.paid_at is not None and t.paid_at < now)
        return {
            "dimensionId": driver.driver_id,
            "dimensionValues": [driver.first_name, driver.last_name],
            "metricValues": [hours(online), hours(aboard), str(done), euros(paid)],
        }

    def _statuses(self, driver: UberDriver, sessions: Any, start: int) -> None:
        """Each change of the driver's status between two polls, 15 minutes apart."""
        if not sessions:
            return
        first = max(start, (sessions[0].start - HOUR_S) // STATUS_EVERY_S * STATUS_EVERY_S)
        last = min(start + DAY_S, sessions[-1].end + 2 * HOUR_S)
        seen: object = None
        for now in range(first, last, STATUS_EVERY_S):
            entries = status_entries(self.plans, driver.person_index, now)
            if entries != seen:
                self._add("uber.driver_status", now, self._status(driver, entries))
                seen = entries

    def _status(self, driver: UberDriver, entries: Any) -> dict[str, Any]:
        vehicle = self.uber.vehicle(driver.vehicle_ids[0]) if driver.vehicle_ids else None
        return {
            "driverInfo": {"driverUuid": driver.driver_id, "firstName": driver.first_name,
                           "lastName": driver.last_name},
            "onboardingStatus": "ONBOARDING_STATUS_ACTIVE",
            "statusEntries": entries,
            "vehicleInfo": {"licensePlate": vehicle.license_plate if vehicle else None},
        }  # fmt: skip

    def _bolt_day(self, driver: BoltDriver, day: date, start: int) -> None:
        plan = self.plans(driver.person_index, day)
        car = self._car(driver)
        for trip in plan.trips:
            if trip.provider != "bolt":
                continue
            seen = _next_hour(trip.closed_at)
            money = Money(driver.person_index, "bolt", int(trip.paid_at or trip.closed_at),
                          _bolt_figures(trip))  # fmt: skip
            self._add("bolt.orders", seen, render_order(driver, car, trip, seen), money)
            if trip.paid_at is not None and trip.paid_at > seen:
                later = _next_hour(trip.paid_at)
                self._add("bolt.orders", later, render_order(driver, car, trip, later))
        for log in state_changes(self._bolt_h, driver.person_index, start, start + DAY_S):
            self._add("bolt.state_logs", _next_hour(log[0]), render_state_log(driver, car, log))

    def _car(self, driver: BoltDriver) -> Any:
        return self.bolt.vehicle(driver.vehicle_id)


_RESOURCES = ("uber.transactions", "uber.payments", "uber.driver_status", "uber.daily_metrics",
              "bolt.orders", "bolt.state_logs")  # fmt: skip
_WORLD: YearWorld | None = None  # a worker process's own world


def _start_worker(drivers: int, days: int) -> None:
    global _WORLD
    _WORLD = YearWorld(drivers, days)


def _worker_day(n: int) -> dict[PageKey, RawPage]:
    assert _WORLD is not None
    return _WORLD.day(n)


def year_pages(drivers: int, days: int, workers: int, ahead: int = 4) -> Iterator[list[RawPage]]:
    """The first ``days`` days' pages in time order, built in ``workers`` processes,
    ``ahead`` days ahead of the caller at most (a day of 1,500 drivers is ~25 MB of records)."""
    pending: dict[PageKey, RawPage] = {}
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(drivers, days)) as pool:
        queued: list[Future[dict[PageKey, RawPage]]] = []
        for n in range(days):
            while len(queued) < ahead and n + len(queued) < days:
                queued.append(pool.submit(_worker_day, n + len(queued)))
            _merge(pending, queued.pop(0).result())
            midnight = epoch(FIRST_DAY + timedelta(days=n + 1))
            due = sorted((k for k in pending if k[0] <= midnight), key=_order)
            yield [pending.pop(k) for k in due]  # later days only poll after their midnight
    yield [pending.pop(k) for k in sorted(pending, key=_order)]


def _merge(pending: dict[PageKey, RawPage], day: dict[PageKey, RawPage]) -> None:
    """Add a day's pages to those pending; a poll seeing two days' records gets one page."""
    for key, page in day.items():
        if key in pending:
            pending[key].records.extend(page.records)
            pending[key].money.extend(page.money)
        else:
            pending[key] = page


def _order(key: PageKey) -> tuple[int, int, int]:
    return key[0], _RESOURCES.index(key[1]), key[2] or 0


def _page(resource: str, at: int, records: list[dict[str, Any]]) -> RawPage:
    return RawPage(resource, at, [_ENCODE(r) for r in records], [None] * len(records))


def _uber_figures(trip: Trip) -> tuple[tuple[str, int], ...]:
    return (("fares", trip.fare_cents), ("service_fee", -trip.commission_cents),
            ("tips", trip.tip_cents), ("trips", 1))  # fmt: skip


def _bolt_figures(trip: Trip) -> tuple[tuple[str, int], ...]:
    paid = "cash" if trip.payment_method == "cash" else "in_app"
    return (("ride_price", trip.fare_cents), ("commission", -trip.commission_cents),
            ("net_earnings", trip.net_cents), ("tip", trip.tip_cents),
            ("cancellation_fee", trip.cancellation_fee_cents),
            (paid, trip.fare_cents + trip.cancellation_fee_cents),
            ("trips", 1 if trip.status == "finished" else 0))  # fmt: skip
