"""Reconciliation and legal minimums as pure functions: no database, no clock.

Two figures that should agree (Uber's payments and its transactions, Bolt's orders and the
earnings summed from them...) are compared to the cent; a difference gets the likeliest
reason the evidence supports, in French as the dashboard shows it, or ``inexpliqué``. The
evidence is gathered in SQL (``query_api.reconcile_sql``); deciding is done here, so each
reason can be tested without a database.

A ride's legal minimum is the greatest of the per-ride, per-hour and per-km floors of the
rule in force on the ride's day (``FLEET_MINIMUM_FARE_RULES``, docs/QUALITY.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

LATE = "données tardives"
FROM_REPORT = "comblé par le rapport"
UNCOVERED = "période non couverte"
ADJUSTED = "course ajustée hors période"
CANCELLED = "course annulée sans paiement"
UNEXPLAINED = "inexpliqué"


@dataclass(frozen=True)
class Evidence:
    """What the tables say about a driver's week besides the two figures compared.

    ``late``: some of the week's data arrived after it settled, or it has not settled yet.
    ``adjusted``: fare adjustments in the week for trips outside it (or the reverse).
    ``unpaid``: trips counted in the figures without any payment (rider cancellations).
    ``from_report``: the difference is exactly the transactions only the PAYMENTS_ORDER report
    had: hours past Uber's 24-hour horizon, which U6's sums lost and the report filled.
    ``uncovered``: a resource compared has a gap in the period (coverage): one side holds
    money of hours the other never fetched, as in the week ingest started.
    """

    late: bool = False
    adjusted: int = 0
    unpaid: int = 0
    from_report: bool = False
    uncovered: bool = False


def difference(left: int | None, right: int | None) -> int | None:
    """``left - right`` in cents when both are known and differ; None when they agree or one
    side has no figure at all (nothing to compare: the week's status says what is missing)."""
    if left is None or right is None or left == right:
        return None
    return left - right


def likely_reason(evidence: Evidence) -> str:
    """The first reason the evidence supports: late data explains anything, then money only
    the report had (an exact match), then a gap in the coverage, then an adjustment across
    the week's bound, then a trip without payment; else ``inexpliqué``."""
    if evidence.late:
        return LATE
    if evidence.from_report:
        return FROM_REPORT
    if evidence.uncovered:
        return UNCOVERED
    if evidence.adjusted:
        return ADJUSTED
    if evidence.unpaid:
        return CANCELLED
    return UNEXPLAINED


@dataclass(frozen=True, order=True)
class MinimumRule:
    """Floors in force from ``since`` (a Paris day): cents per ride, per hour of the ride
    (acceptance to drop-off) and per kilometre; 0 means no such floor."""

    since: date
    ride: int = 0
    hour: int = 0
    km: int = 0


# Our reading of the ARPE accords (docs/QUALITY.md): where it is wrong, the setting changes it.
DEFAULT_MINIMUM_RULES = "2000-01-01 ride=765; 2024-02-01 ride=900 hour=3000 km=100"
_RULE = re.compile(r"^(\d{4}-\d{2}-\d{2})((?:\s+(?:ride|hour|km)=\d{1,7})+)$")


def parse_minimum_rules(text: str) -> tuple[MinimumRule, ...]:
    """``"2024-02-01 ride=900 hour=3000 km=100; ..."`` (cents), in date order; ValueError for
    anything else: a malformed part, a floor named twice, or two rules on one day."""
    rules = [_rule(part.strip()) for part in text.split(";") if part.strip()]
    if not rules:
        raise ValueError("no minimum fare rule")
    days = [r.since for r in rules]
    if len(set(days)) != len(days):
        raise ValueError("two minimum fare rules start on the same day")
    return tuple(sorted(rules))


def _rule(part: str) -> MinimumRule:
    match = _RULE.match(part)
    if not match:
        raise ValueError(f"{part!r} is not a rule like '2024-02-01 ride=900 hour=3000 km=100'")
    floors = [item.split("=") for item in match.group(2).split()]
    names = [name for name, _ in floors]
    if len(set(names)) != len(names):
        raise ValueError(f"{part!r} names a floor twice")
    since = date.fromisoformat(match.group(1))
    return MinimumRule(since, **{name: int(cents) for name, cents in floors})


def rule_on(rules: tuple[MinimumRule, ...], day: date) -> MinimumRule | None:
    """The rule in force on ``day``: the latest starting on or before it."""
    found = [r for r in rules if r.since <= day]
    return found[-1] if found else None


def minimum_of(rule: MinimumRule, seconds: int | None, metres: int | None) -> tuple[int, str]:
    """The ride's minimum in cents and the floor that sets it (``course``, ``heure``,
    ``km``); a floor whose measure is unknown does not apply. Rounded up to the cent."""
    floors = [(rule.ride, "course")]
    if seconds is not None and rule.hour:
        floors.append((-(-rule.hour * seconds // 3600), "heure"))
    if metres is not None and rule.km:
        floors.append((-(-rule.km * metres // 1000), "km"))
    return max(floors, key=lambda floor: floor[0])


DEFAULT_MINIMUM_FARES = parse_minimum_rules(DEFAULT_MINIMUM_RULES)
