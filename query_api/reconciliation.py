"""A week's reconciliation and its rides under the legal minimum, from the read tables.

The figures come from ``query_api.reconcile_sql``; each pair that should agree is compared
and a difference given its likely reason by ``query_api.reconcile``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from contracts.uber_report_rows import report_decimal
from contracts.weeks import PARIS, IsoWeek, WeekRules, WeekStart, week_bounds
from eventlog.coverage import coverage_of
from projector.projections.uber_money import decimal_to_minor
from query_api import reconcile_sql as sql
from query_api.reconcile import Evidence, MinimumRule, difference, likely_reason, minimum_of
from query_api.reconcile import rule_on as rule_in_force
from query_api.schemas_quality import Difference, MinimumFares, Reconciliation, UnderMinimum

Span = tuple[datetime, datetime]
MIDNIGHT = WeekStart(0, time())


@dataclass(frozen=True)
class Week:
    """A week's bounds on each platform, the Paris days they span, and when each settles."""

    name: IsoWeek
    uber: Span
    bolt: Span
    days: Span  # Monday 00:00 to Monday 00:00, Paris time
    settling: timedelta

    @classmethod
    def of(cls, week: IsoWeek, rules: WeekRules) -> Week:
        uber, bolt = rules.bounds("uber", week), rules.bounds("bolt", week)
        return cls(week, uber, bolt, week_bounds(week, MIDNIGHT), rules.settling)

    def paris_days(self, span: Span) -> tuple[date, date]:
        return span[0].astimezone(PARIS).date(), (span[1] - timedelta(microseconds=1)).astimezone(
            PARIS
        ).date()


async def reconciliation(
    conn: asyncpg.Connection, org_id: UUID, week: Week, now: datetime
) -> Reconciliation:
    """Every difference of the week, Uber's then Bolt's, per account and driver."""
    first, last = week.paris_days(week.days)
    uber = await sql.fetch(
        conn, sql.UBER_WEEK, *sql.uber_args(org_id, week.uber, week.days, first, last)
    )
    reports = await sql.fetch(conn, sql.UBER_REPORT_ROWS, org_id, *week.uber)
    bolt = await sql.fetch(conn, sql.BOLT_WEEK, org_id, *week.paris_days(week.bolt))
    uber_settled = week.uber[1] + week.settling
    bolt_settled = week.bolt[1] + week.settling
    whole = Whole(
        await _whole(conn, org_id, week.uber, now), await _whole(conn, org_id, week.days, now)
    )
    found = [d for row in uber for d in _uber(row, uber_settled, now, whole)]
    found += [d for row in reports if (d := _report(row, uber_settled, now))]
    found += [d for row in bolt for d in _bolt(row, bolt_settled, now)]
    return Reconciliation(
        str(week.name), *week.uber, *week.bolt, drivers=len(uber) + len(bolt), differences=found
    )


def _late(seen: datetime | None, settled_at: datetime, now: datetime) -> bool:
    return now < settled_at or (seen is not None and seen > settled_at)


def _pairs(
    row: dict[str, Any], pairs: list[tuple[str, str, str, str, str]], evidence: dict[str, Evidence]
) -> Iterator[Difference]:
    """A difference for each pair of columns of ``row`` that disagree."""
    for check, left, lcol, right, rcol in pairs:
        delta = difference(row[lcol], row[rcol])
        if delta is not None:
            yield Difference(
                row["provider"], row["account_id"], row["driver_id"], row["driver_name"],
                check, None, left, row[lcol], right, row[rcol], delta,
                likely_reason(evidence[check]),
            )  # fmt: skip


@dataclass(frozen=True)
class Whole:
    """The ``(account, resource)`` pairs whose coverage has no gap over the Uber week, and
    over its Paris days (``eventlog.coverage``); a resource never covered is not whole."""

    week: frozenset[tuple[str, str]]
    days: frozenset[tuple[str, str]]

    def gap(self, account: str, resources: tuple[str, ...], days: bool = False) -> bool:
        """Whether one of ``resources`` of ``account`` was not fetched whole."""
        whole = self.days if days else self.week
        return any((account, resource) not in whole for resource in resources)


async def _whole(
    conn: asyncpg.Connection, org_id: UUID, span: Span, now: datetime
) -> frozenset[tuple[str, str]]:
    """Uber resources covered without a gap over ``span`` up to now (the future is no gap)."""
    found = await coverage_of(conn, org_id, span[0], max(min(span[1], now), span[0]))
    return frozenset(
        (c.account_id, c.resource) for c in found if c.provider == "uber" and not c.gaps
    )


def _uber(
    row: asyncpg.Record, settled_at: datetime, now: datetime, whole: Whole
) -> Iterator[Difference]:
    late, account = _late(row["seen"], settled_at, now), row["account_id"]
    # Exactly the money only the report had: U6's sums of those hours were past the horizon.
    report = row["txn_report"]
    filled = bool(report) and (row["pay"] or 0) + report == row["txn"]
    evidence = {
        "paiements/transactions": Evidence(
            late, row["adjusted"], from_report=filled,
            uncovered=whole.gap(account, ("payments", "transactions")),
        ),
        "transactions/métriques": Evidence(
            late, row["adjusted"], row["unpaid"],
            uncovered=whole.gap(account, ("transactions", "daily_metrics"), days=True),
        ),
    }  # fmt: skip
    pairs = [
        ("paiements/transactions", "paiements", "pay", "transactions", "txn"),
        ("transactions/métriques", "transactions du jour", "txn_days", "métriques", "met"),
    ]
    values = {**dict(row), "provider": "uber", "driver_name": None}
    yield from _pairs(values, pairs, evidence)


def _report(row: asyncpg.Record, settled_at: datetime, now: datetime) -> Difference | None:
    value = report_decimal(row["earnings"])
    cents = decimal_to_minor(str(value), row["currency"] or "EUR") if value is not None else None
    delta = difference(cents, row["amount_minor"])
    if delta is None or cents is None:
        return None
    late = _late(max(row["observed_at"], row["updated_at"]), settled_at, now)
    return Difference(
        "uber", row["account_id"], row["driver_id"] or "", None, "rapport/transaction",
        row["transaction_id"], "rapport", cents, "transaction", row["amount_minor"], delta,
        likely_reason(Evidence(late)),
    )  # fmt: skip


def _bolt(row: asyncpg.Record, settled_at: datetime, now: datetime) -> Iterator[Difference]:
    late = row["late"] or _late(row["seen"], settled_at, now)
    same = Evidence(late, row["reviewed"] if late else 0)
    pairs = [
        ("courses/gains", "prix des courses", "gross", "gains journaliers", "e_gross"),
        ("espèces", "courses en espèces", "cash", "gains en espèces", "e_cash"),
        ("in-app", "courses in-app", "in_app", "gains in-app", "e_in_app"),
    ]
    values = {**dict(row), "provider": "bolt", "driver_id": row["driver_uuid"]}
    yield from _pairs(values, pairs, dict.fromkeys([p[0] for p in pairs], same))


async def under_minimum(
    conn: asyncpg.Connection,
    org_id: UUID,
    week: Week,
    rules: tuple[MinimumRule, ...],
    bolt_net_includes: tuple[str, ...],
) -> MinimumFares:
    """The week's rides paid under the minimum in force on their Paris day."""
    tips, tolls = "tip" in bolt_net_includes, "toll_fee" in bolt_net_includes
    bolt_days = week.paris_days(week.bolt)
    bolt = await sql.fetch(conn, sql.BOLT_RIDES, org_id, *bolt_days, tips, tolls)
    uber = await sql.fetch(conn, sql.UBER_RIDES, org_id, *week.uber)
    rides = [*_uber_rides(uber), *(_bolt_ride(r) for r in bolt)]
    under = [u for ride in rides if (u := _judge(ride, rules))]
    return MinimumFares(str(week.name), len(rides), under)


def _judge(ride: UnderMinimum, rules: tuple[MinimumRule, ...]) -> UnderMinimum | None:
    """The ride with its minimum when it was paid less, else None."""
    rule = rule_in_force(rules, ride.at.astimezone(PARIS).date())
    if rule is None:
        return None
    minimum, floor = minimum_of(rule, ride.seconds, ride.metres)
    if ride.net_minor >= minimum:
        return None
    shortfall = minimum - ride.net_minor
    return msgspec.structs.replace(
        ride, minimum_minor=minimum, shortfall_minor=shortfall, floor=floor, rule_since=rule.since
    )


def _ride(provider: str, row: Any, net: int, at: datetime) -> UnderMinimum:
    """A ride to judge, its minimum not yet known."""
    seconds = row.get("seconds")
    return UnderMinimum(
        provider, row["account_id"], row["driver_id"], row.get("driver_name"), row["ride_id"],
        at, net, 0, 0, "", date.min, seconds if seconds is None or seconds >= 0 else None,
        row.get("metres"),
    )  # fmt: skip


def _bolt_ride(row: asyncpg.Record) -> UnderMinimum:
    return _ride("bolt", {**dict(row), "driver_id": row["driver_uuid"]}, row["net"], row["at"])


def _uber_rides(rows: Sequence[asyncpg.Record]) -> Iterator[UnderMinimum]:
    """One ride per trip: its transactions summed, tips aside, dated by the first."""
    trips: dict[tuple[str, str, str], tuple[int, datetime]] = {}
    for row in rows:
        key = (row["account_id"], row["driver_id"], row["trip_id"])
        net = row["amount_minor"] - tips_in(msgspec.json.decode(row["breakdown"]))
        before, at = trips.get(key, (0, row["processed_at"]))
        trips[key] = (before + net, at)
    for (account, driver, trip), (net, at) in trips.items():
        ride = {"account_id": account, "driver_id": driver, "ride_id": trip}
        yield _ride("uber", ride, net, at)


def tips_in(nodes: Any) -> int:
    """The tips in a breakdown tree (cents): the ``tip`` nodes, wherever they are."""
    total = 0
    for node in nodes if isinstance(nodes, list) else []:
        if str(node.get("category", "")).lower() == "tip":
            total += int(node.get("amount_minor") or 0)
        else:
            total += tips_in(node.get("children"))
    return total
