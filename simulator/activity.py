"""What each person did, day by day: online sessions and trips on Uber or Bolt.

This is the single source every provider endpoint derives from, which is what
makes a driver's figures agree everywhere: Uber analytics, payments and
transactions are sums over the same ``Trip`` objects, and Bolt orders and
state logs come from the same sessions and trips.

A day plan depends only on ``(seed, person, UTC date)``; each simulator keeps the
plans it computes in its own ``DayPlans``, sized to its world. The driver multi-apps:
during a session they are online on both apps and each accepted order comes
from one of them. Times are unix seconds (UTC); money is integer euro cents.
Nothing that happens after the clock's "now" is ever shown.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial

from simulator.ids import uuid4_from
from simulator.money import NONE, Extras, bolt_extras, uber_cash, uber_extras
from simulator.places import Place, two_places

DAY_S = 86400
COMMISSION_PERCENT = {"uber": 25, "bolt": 20}


@dataclass(frozen=True)
class Session:
    """A stretch of time online on both apps."""

    start: int
    end: int


@dataclass(frozen=True)
class Trip:
    """One order on one provider; cancelled orders have no pickup or drop-off."""

    trip_id: str
    provider: str  # "uber" | "bolt"
    status: str  # "finished" | "client_cancelled" | "driver_did_not_respond"
    created_at: int
    accepted_at: int | None
    pickup_at: int | None
    dropoff_at: int | None
    finished_at: int | None
    cancelled_at: int | None
    paid_at: int | None  # fare finalised (Bolt price review, Uber payment); None: no money
    distance_m: int | None
    fare_cents: int
    tip_cents: int
    cancellation_fee_cents: int
    commission_cents: int
    payment_method: str  # "card" | "cash"
    pickup: Place
    dropoff: Place
    extras: Extras = NONE  # money after the fact (simulator.money)

    @property
    def net_cents(self) -> int:
        """What the driver keeps: fare and fees, minus commission, plus tip."""
        gross = self.fare_cents + self.cancellation_fee_cents
        return gross - self.commission_cents + self.tip_cents

    @property
    def closed_at(self) -> int:
        """When the order stopped changing (finished, cancelled or left unanswered)."""
        return self.finished_at or self.cancelled_at or self.created_at + 20

    @property
    def on_trip_s(self) -> int:
        """Seconds with a passenger aboard."""
        if self.pickup_at is None or self.dropoff_at is None:
            return 0
        return self.dropoff_at - self.pickup_at


@dataclass(frozen=True)
class DayPlan:
    """A person's sessions and trips on one UTC day (both providers); ``late``: the trips
    with money processed on a later day (late tips, adjustments, price reviews)."""

    sessions: tuple[Session, ...]
    trips: tuple[Trip, ...]
    late: tuple[Trip, ...] = ()


def day_plan(seed: int, person: int, day: date) -> DayPlan:
    """The sessions and trips of ``person`` on ``day``; pure (``DayPlans`` caches it)."""
    rng = random.Random(f"{seed}:day:{person}:{day.isoformat()}")
    if rng.random() < 0.25:
        return DayPlan((), ())  # a day off
    midnight = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    start = midnight + rng.randrange(5 * 3600, 14 * 3600, 60)
    end = min(start + rng.randrange(5 * 3600, 10 * 3600, 60), midnight + DAY_S - 60)
    trips = tuple(_fill_session(rng, start, end))
    late = tuple(t for t in trips if t.extras.late or t.extras.reviewed_at is not None)
    return DayPlan((Session(start, end),), trips, late)


def _fill_session(rng: random.Random, start: int, end: int) -> list[Trip]:
    """Orders one after another until the session ends (a trip never outlasts it)."""
    trips: list[Trip] = []
    t = start
    while True:
        t += rng.randrange(120, 1200)  # waiting for the next order
        provider = "uber" if rng.random() < 0.55 else "bolt"
        trip, busy_until = _make_trip(rng, provider, t)
        if busy_until > end:
            return trips
        trips.append(trip)
        t = busy_until


def _make_trip(rng: random.Random, provider: str, created: int) -> tuple[Trip, int]:
    """One order created at ``created`` and the time the driver is free again."""
    roll = rng.random()
    if provider == "bolt" and roll < 0.04:
        return _unanswered(rng, provider, created), created + 20
    if provider == "bolt" and roll < 0.09:
        trip = _cancelled(rng, provider, created)
        return trip, int(trip.cancelled_at or created)
    trip = _finished(rng, provider, created)
    return trip, int(trip.finished_at or created)


def _blank(rng: random.Random, provider: str, created: int, status: str) -> Trip:
    pickup, dropoff = two_places(rng)
    return Trip(
        trip_id=uuid4_from(rng),
        provider=provider,
        status=status,
        created_at=created,
        accepted_at=None,
        pickup_at=None,
        dropoff_at=None,
        finished_at=None,
        cancelled_at=None,
        paid_at=None,
        distance_m=None,
        fare_cents=0,
        tip_cents=0,
        cancellation_fee_cents=0,
        commission_cents=0,
        payment_method="cash" if provider == "bolt" and rng.random() < 0.15 else "card",
        pickup=pickup,
        dropoff=dropoff,
    )


def _unanswered(rng: random.Random, provider: str, created: int) -> Trip:
    return _blank(rng, provider, created, "driver_did_not_respond")


def _cancelled(rng: random.Random, provider: str, created: int) -> Trip:
    trip = _blank(rng, provider, created, "client_cancelled")
    accepted = created + rng.randrange(5, 40)
    cancelled = accepted + rng.randrange(60, 400)
    fee = 500 if cancelled - accepted > 180 else 0  # late cancellation: the rider pays a fee
    return replace(
        trip,
        accepted_at=accepted,
        cancelled_at=cancelled,
        paid_at=cancelled + 60 if fee else None,
        cancellation_fee_cents=fee,
        commission_cents=fee * COMMISSION_PERCENT[provider] // 100,
    )


def _finished(rng: random.Random, provider: str, created: int) -> Trip:
    trip = _blank(rng, provider, created, "finished")
    accepted = created + rng.randrange(5, 40)
    pickup = accepted + rng.randrange(120, 600)
    ride_s = rng.randrange(480, 2700)
    distance_m = int(ride_s * rng.uniform(5.0, 11.0))  # 18 to 40 km/h through Paris
    fare = max(800, 250 + distance_m * 11 // 100 + ride_s * 6 // 10)  # 1.10 €/km + 0.36 €/min
    finished = pickup + ride_s + rng.randrange(5, 20)
    # Uber settles at drop-off; Bolt reviews the price a little later (the "price_review" time).
    paid = pickup + ride_s if provider == "uber" else finished + rng.randrange(60, 1800)
    trip = _with_money(trip, fare, paid)
    return replace(
        trip,
        accepted_at=accepted,
        pickup_at=pickup,
        dropoff_at=pickup + ride_s,
        finished_at=finished,
        paid_at=paid,
        distance_m=distance_m,
        fare_cents=fare,
        tip_cents=rng.choice((100, 200, 300, 500)) if rng.random() < 0.1 else 0,
        commission_cents=fare * COMMISSION_PERCENT[provider] // 100,
    )


def _with_money(trip: Trip, fare: int, paid: int) -> Trip:
    """The trip with its money after the fact (drawn from its id: ``rng`` is untouched)."""
    if trip.provider == "uber":
        method = "cash" if uber_cash(trip.trip_id) else trip.payment_method
        return replace(trip, payment_method=method, extras=uber_extras(trip.trip_id, paid))
    if trip.payment_method == "cash":
        return trip
    return replace(trip, extras=bolt_extras(trip.trip_id, fare, paid))


def utc_day(ts: int) -> date:
    """The UTC date containing unix time ``ts``."""
    return datetime.fromtimestamp(ts, UTC).date()


def days_between(start: int, end: int) -> list[date]:
    """UTC dates overlapping ``[start, end)``, plus the day before (sessions never cross
    midnight, but Bolt's price reviews of late trips may)."""
    if end <= start:
        return []
    first, last = utc_day(start) - timedelta(days=1), utc_day(end - 1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Length in seconds of the intersection of two half-open intervals."""
    return max(0, min(a_end, b_end) - max(a_start, b_start))


class DayPlans:
    """``day_plan`` of one seed, kept for one simulator (least recently used out first).

    Why the capacity should cover the whole world (people × days served): several queries
    (a month of Bolt orders created, then price-reviewed; a month of Uber analytics) each
    walk every driver's every day in turn. An LRU cache smaller than that cycle misses on
    every plan, so each query computed the whole month again: the former module-wide cache
    of 16,384 plans did so for a fleet of 1,500 drivers. A plan weighs about 5 kB.
    """

    def __init__(self, seed: int, capacity: int = 16384) -> None:
        self.seed = seed
        self._plan = lru_cache(maxsize=capacity)(partial(day_plan, seed))

    def __call__(self, person: int, day: date) -> DayPlan:
        """The plan of ``person`` on ``day``."""
        return self._plan(person, day)

    def clear(self) -> None:
        """Forget every plan (benchmarks start each phase cold)."""
        self._plan.cache_clear()


@dataclass(frozen=True)
class History:
    """One provider's view of the activity, cut at ``now`` and ``history_days`` back.

    Windows are half-open ``[start, end)`` unix seconds.
    """

    plans: DayPlans
    provider: str
    now: int
    history_days: int

    @property
    def earliest(self) -> int:
        """Midnight UTC of the oldest day the provider still serves."""
        today = datetime.fromtimestamp(self.now, UTC).replace(hour=0, minute=0, second=0)
        return int(today.timestamp()) - self.history_days * DAY_S

    def clip(self, start: int, end: int) -> tuple[int, int]:
        """``[start, end)`` narrowed to what has happened and is still kept."""
        return max(start, self.earliest), min(end, self.now + 1)

    def trips(self, person: int, start: int, end: int, at: str) -> list[Trip]:
        """This provider's trips whose ``at`` timestamp falls in the window, oldest first."""
        start, end = self.clip(start, end)
        found: list[Trip] = []
        for day in days_between(start, end):
            for trip in self.plans(person, day).trips:
                ts = getattr(trip, at)
                if trip.provider == self.provider and ts is not None and start <= ts < end:
                    found.append(trip)
        return sorted(found, key=lambda t: (getattr(t, at), t.trip_id))

    def sessions(self, person: int, start: int, end: int) -> list[Session]:
        """Sessions overlapping the window, clipped to it."""
        start, end = self.clip(start, end)
        clipped: list[Session] = []
        for day in days_between(start, end):
            for s in self.plans(person, day).sessions:
                if overlap(s.start, s.end, start, end) > 0:
                    clipped.append(Session(max(s.start, start), min(s.end, end)))
        return clipped

    def online_s(self, person: int, start: int, end: int) -> int:
        """Seconds online in the window."""
        return sum(s.end - s.start for s in self.sessions(person, start, end))

    def on_trip_s(self, person: int, start: int, end: int) -> int:
        """Seconds with a passenger of this provider aboard, within the window."""
        start, end = self.clip(start, end)
        total = 0
        for day in days_between(start, end):
            for trip in self.plans(person, day).trips:
                if trip.provider == self.provider and trip.pickup_at and trip.dropoff_at:
                    total += overlap(trip.pickup_at, trip.dropoff_at, start, end)
        return total
