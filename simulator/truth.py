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

``uber_payments`` is the money side of the truth: what each Uber driver was paid over a
span, summed from the activity itself (``GET /_sim/truth/uber-payments``), not from any
answer the simulator served, so a test can check ingest's figures to the cent after an
outage, overlapping windows or a pay-period answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from simulator.activity import History
from simulator.bolt_world import BoltDriver
from simulator.people import folded
from simulator.platforms import e164
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


def uber_payments(
    history: History, drivers: Iterable[UberDriver], start: int, end: int
) -> dict[str, Any]:
    """Each Uber driver's pay in cents for the trips paid in ``[start, end)`` (unix seconds):
    fare and fees, less Uber's commission, plus tips, per ``Trip.net_cents``. Drivers paid
    nothing are left out."""
    paid = {
        d.driver_id: sum(t.net_cents for t in history.trips(d.person_index, start, end, "paid_at"))
        for d in drivers
    }
    found = {driver: cents for driver, cents in sorted(paid.items()) if cents}
    return {"currency": "EUR", "drivers": found, "total": sum(found.values())}
