"""Who is who across the two platforms: the simulator's ground truth, for tests only.

A *pair* is one person live on both rosters (the same person index), whatever their records
say; a *homonym* is an Uber driver and a Bolt driver who are different people under the same
first and last name (accent- and case-folded). Drivers are named by the ids our ingest keeps
as their entity id: Uber's raw ``driverId`` and Bolt's ``driver_uuid``.

A pair's ``kinds`` are what its two records disagree on, read from the records as served now
(so a phone changed at run time shows up, and the pair stays a pair)::

    phone_format   the same number, written another way on Bolt
    other_phone    another number on one side
    other_email    another address on one side (compared trimmed and lower-cased)
    name_accents   names that differ only by accents or case
    name_typo      names that differ even once folded

``auto_linkable`` says whether the phone (E.164) or the e-mail still agree: a pair without
either is found by name and plate only. The control route ``GET /_sim/truth/people`` serves
this; no provider route does.

``GET /_sim/truth/settlements?week=YYYY-Www`` serves each driver's figures of a settlement
week as docs/SETTLEMENTS.md defines them, computed here from the day plans (the trips,
their money and the sessions), never from an answer served: Uber per ``driverId`` from
every transaction of the trips first paid in its week (Monday 04:00 Paris), late money
included, Bolt per ``driver_uuid`` from the orders whose payment confirmation (else end)
is in its week (Monday 00:00), and Bolt's minutes online and with an order over the
calendar week. Everything is as of the clock's now, as the providers would show it.

``uber_payments`` is the money side of the truth: what each Uber driver was paid over a
span, summed from the activity itself (``GET /_sim/truth/uber-payments``), not from any
answer the simulator served, so a test can check ingest's figures to the cent after an
outage, overlapping windows or a pay-period answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from simulator.activity import DAY_S, History, Trip, days_between, overlap
from simulator.bolt_orders import prices, review_reason
from simulator.bolt_world import BoltDriver
from simulator.people import folded
from simulator.platforms import e164
from simulator.uber_ledger import LATE_TIP, TRIP, processed, transactions_of
from simulator.uber_timefmt import PARIS
from simulator.world import UberDriver


@dataclass(frozen=True)
class Pair:
    """One person driving on both platforms."""

    uber_driver_id: str
    bolt_driver_uuid: str
    person: int
    kinds: tuple[str, ...]
    auto_linkable: bool


@dataclass(frozen=True)
class Homonym:
    """Two different people, one on each platform, under the same name."""

    uber_driver_id: str
    bolt_driver_uuid: str
    uber_person: int
    bolt_person: int
    name: str  # folded "first last"


@dataclass(frozen=True)
class Truth:
    """Every pair and every homonym among the live drivers."""

    pairs: tuple[Pair, ...]
    homonyms: tuple[Homonym, ...]


def ground_truth(uber: Sequence[UberDriver], bolt: Sequence[BoltDriver]) -> Truth:
    """The pairs and homonyms of these live rosters (O(n), plus the homonyms themselves)."""
    by_person = {d.person_index: d for d in bolt}
    pairs = [pair_of(u, by_person[u.person_index]) for u in uber if u.person_index in by_person]
    return Truth(tuple(pairs), tuple(homonyms_of(uber, bolt)))


def pair_of(uber: UberDriver, bolt: BoltDriver) -> Pair:
    """The pair these two records are, with what they disagree on."""
    same_phone = e164(uber.phone_country + uber.phone_number) == e164(bolt.phone)
    same_email = uber.email.strip().lower() == bolt.email.strip().lower()
    kinds = [
        *(["phone_format"] if same_phone and bolt.phone != f"+33{uber.phone_number}" else []),
        *([] if same_phone else ["other_phone"]),
        *([] if same_email else ["other_email"]),
        *name_kinds((uber.first_name, uber.last_name), (bolt.first_name, bolt.last_name)),
    ]
    auto = same_phone or same_email
    return Pair(uber.driver_id, bolt.driver_uuid, uber.person_index, tuple(kinds), auto)


def name_kinds(uber: tuple[str, str], bolt: tuple[str, str]) -> list[str]:
    """``[]``, ``["name_accents"]`` or ``["name_typo"]`` for two (first, last) names."""
    if uber == bolt:
        return []
    return ["name_accents"] if full_name(*uber) == full_name(*bolt) else ["name_typo"]


def full_name(first: str, last: str) -> str:
    """The folded "first last" a matcher compares."""
    return f"{folded(first)} {folded(last)}"


def homonyms_of(uber: Iterable[UberDriver], bolt: Iterable[BoltDriver]) -> list[Homonym]:
    """Uber and Bolt drivers under one folded name who are different people."""
    bolt_by_name: dict[str, list[BoltDriver]] = {}
    for b in bolt:
        bolt_by_name.setdefault(full_name(b.first_name, b.last_name), []).append(b)
    return [
        Homonym(u.driver_id, b.driver_uuid, u.person_index, b.person_index, name)
        for u in uber
        for name in [full_name(u.first_name, u.last_name)]
        for b in bolt_by_name.get(name, [])
        if b.person_index != u.person_index
    ]


def truth_view(truth: Truth) -> dict[str, Any]:
    """The truth as the control route's JSON body (field names as in the dataclasses)."""
    return {
        "ids": {"uber": "driverId", "bolt": "driver_uuid"},
        "pairs": [asdict(p) for p in truth.pairs],
        "homonyms": [asdict(h) for h in truth.homonyms],
    }


# -- the week's money: what each driver's settlement should say (docs/SETTLEMENTS.md) --------

UBER_FIGURE_OF = {
    "fare": "fares", "tip": "tips", "promotion": "promotions", "service_fee": "service_fee",
    "toll": "tolls", "adjustment": "adjustments", "cash_collected": "cash_collected",
}  # fmt: skip
BOLT_FIGURES = ("ride_price", "booking_fee", "toll_fee", "cancellation_fee", "tip",
                "commission", "net_earnings", "cash", "in_app")  # fmt: skip
WEEK_STARTS = {"uber": 4, "bolt": 0, "hours": 0}  # Monday, this hour, Paris time
Window = tuple[int, int]


def week_windows(week: str) -> dict[str, Window]:
    """Each platform's money week and the calendar week (hours) of ``YYYY-Www``, as unix
    seconds ``[start, end)``; ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    if match is None:
        raise ValueError(f"{week!r} is not an ISO week like 2025-W10")
    monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)

    def at(day: date, hour: int) -> int:
        return int(datetime.combine(day, time(hour), PARIS).timestamp())

    return {
        name: (at(monday, hour), at(monday + timedelta(days=7), hour))
        for name, hour in WEEK_STARTS.items()
    }


def uber_week(history: History, person: int, window: Window) -> dict[str, int]:
    """One Uber driver's figures: every transaction of the trips first paid in the window,
    whenever processed up to now (a late tip or an adjustment counts in its trip's week, as
    docs/SETTLEMENTS.md rules), each category summed (cash collected as a positive amount);
    ``trips``: the trips' own payments; ``late_tips``: the part of ``tips`` added days after
    the trip."""
    figures = dict.fromkeys([*UBER_FIGURE_OF.values(), "trips", "late_tips"], 0)
    shown = history.clip(window[0], history.now + 1)[1]
    for trip in history.trips(person, *window, "paid_at"):
        for txn in [x for x in transactions_of(trip) if x.processed_at < shown]:
            for name, cents in txn.parts().items():
                figures[UBER_FIGURE_OF[name]] += abs(cents) if name == "cash_collected" else cents
            figures["trips"] += txn.kind == TRIP
            figures["late_tips"] += txn.parts()["tip"] if txn.kind == LATE_TIP else 0
    return figures


def money_time(trip: Trip, now: int) -> int | None:
    """When an order's money counts: its payment confirmation once shown, else its end."""
    if trip.paid_at is not None and trip.paid_at <= now:
        return trip.paid_at
    return trip.finished_at or trip.cancelled_at


def bolt_week(history: History, person: int, window: Window) -> dict[str, int]:
    """One Bolt driver's figures: the orders closed by now whose money time is in the window,
    at their prices as of now (commission negative; cash and in-app: the ride price by
    payment method); ``trips``: finished orders; ``price_reviews``: orders reviewed since."""
    figures = dict.fromkeys([*BOLT_FIGURES, "trips", "price_reviews"], 0)
    now, (start, end) = history.now, window
    for trip in history.trips(person, start - DAY_S, end, "created_at"):
        counted = money_time(trip, now)
        if trip.closed_at > now or counted is None or not start <= counted < end:
            continue
        price = prices(trip, now)
        for name in ("ride_price", "toll_fee", "cancellation_fee", "tip", "net_earnings"):
            figures[name] += price[name]
        figures["commission"] -= price["commission"]
        figures["cash" if trip.payment_method == "cash" else "in_app"] += price["ride_price"]
        figures["trips"] += trip.status == "finished"
        figures["price_reviews"] += review_reason(trip, now) is not None
    return figures


def bolt_minutes(history: History, person: int, window: Window) -> dict[str, int]:
    """Minutes online (any state but inactive) and with an order (accepted to closed) in the
    window, each stretch ending at the next state change shown by now; rounded to the
    nearest minute over the week."""
    online = on_order = 0
    now, (start, end) = history.now, window
    for day in days_between(start - DAY_S, end):
        plan = history.plans(person, day)
        orders = [t for t in plan.trips if t.provider == "bolt" and t.accepted_at is not None]
        for session in plan.sessions:
            mine = [t for t in orders if session.start <= (t.accepted_at or 0) < session.end]
            changes = [session.start, session.end]
            changes += [x for t in mine for x in (t.accepted_at or 0, t.closed_at)]
            shown = [x for x in changes if x <= now]
            upto = max(shown, default=session.start)
            online += overlap(session.start, upto, start, end)
            on_order += sum(
                overlap(t.accepted_at or 0, min(t.closed_at, upto), start, end) for t in mine
            )
    return {"minutes_online": (online + 30) // 60, "minutes_on_trip": (on_order + 30) // 60}


def settlements_truth(
    week: str, uber: tuple[History, Sequence[UberDriver]],
    bolt: tuple[History, Sequence[BoltDriver]],
) -> dict[str, Any]:  # fmt: skip
    """Every live driver's figures of ``week`` on each platform, computed from the day plans
    (not from any answer served), as of each history's now."""
    windows = week_windows(week)
    uber_history, bolt_history = uber[0], bolt[0]
    return {
        "week": week,
        "as_of": iso(uber_history.now),
        "ids": {"uber": "driverId", "bolt": "driver_uuid"},
        "windows": {k: [iso(s), iso(e)] for k, (s, e) in windows.items()},
        "uber": {
            d.driver_id: uber_week(uber_history, d.person_index, windows["uber"]) for d in uber[1]
        },
        "bolt": {
            d.driver_uuid: {
                **bolt_week(bolt_history, d.person_index, windows["bolt"]),
                **bolt_minutes(bolt_history, d.person_index, windows["hours"]),
            }
            for d in bolt[1]
        },
    }


def iso(ts: int) -> str:
    """Unix seconds as ISO-8601 UTC."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


def uber_payments(
    history: History, drivers: Iterable[UberDriver], start: int, end: int
) -> dict[str, Any]:
    """Each Uber driver's pay in cents for the transactions processed in ``[start, end)`` (unix
    seconds): their earnings (fares and fees less Uber's commission, tips, promotions, late
    tips and adjustments), from the simulator's ledger (``simulator.uber_ledger``). Drivers
    paid nothing are left out."""
    paid = {
        d.driver_id: sum(x.earnings for x in processed(history, d.person_index, start, end))
        for d in drivers
    }
    found = {driver: cents for driver, cents in sorted(paid.items()) if cents}
    return {"currency": "EUR", "drivers": found, "total": sum(found.values())}
