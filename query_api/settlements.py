"""Settlement drafts: the read models' money for each person's identities in each platform's
own week, the scheme and lines in force, the previous week's carried balance and the
regularisation of earlier approved weeks, through contracts/settlement.py.

Approved, paid and cancelled weeks are rows of the settlements projection; an approved or
paid week is answered from its stored statement: no draft is computed for that person and
nothing of theirs is read from the money tables. Everyone else's draft is kept once computed
(query_api/kept_drafts.py, docs/SETTLEMENTS.md "Kept drafts") and used again while nothing
it was computed from changed; only the people without a valid kept draft are computed, with
every query scoped to them. Every statement names the org (the writer's connection bypasses
row-level security; the API's is under it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

import asyncpg
import msgspec

from contracts.settlement import (
    BOLT_SUMS,
    FIGURES,
    UBER_CATEGORIES,
    Figure,
    Inputs,
    Line,
    Rules,
    Scheme,
    Statement,
    bolt_week_figures,
    carried,
    compute,
    regularisation,
    uber_figures,
)
from contracts.weeks import (
    PROVIDERS,
    IsoWeek,
    Provider,
    WeekStart,
    money_window,
    shift,
    week_bounds,
)
from query_api.kept_drafts import (
    IDENTITIES,
    Keeper,
    Kept,
    Summary,
    keep,
    kept,
    stamps,
    summarise,
    summarise_json,
)

# How many earlier weeks a draft looks back at for late data to regularise.
LOOKBACK_WEEKS = 8
ROUNDING = (
    "Chaque montant calculé (part, TVA) est arrondi au centime, la moitié s'éloignant de zéro."
)
GLOSSARY = {p: dict(FIGURES[p]) for p in PROVIDERS}
_STATEMENT = msgspec.json.Decoder(Statement)
_SCHEME = msgspec.json.Decoder(Scheme)


def settlement_id(person: UUID, week: IsoWeek | str) -> str:
    """A person's week has one id, the same as a draft, approved, paid or cancelled:
    ``<week>_<person id>`` (``2026-W10_6f1c…``)."""
    return f"{week}_{person}"


def parse_settlement_id(text: str) -> tuple[IsoWeek, UUID]:
    """(week, person) of a settlement id; ValueError when it is not one."""
    week, sep, person = text.partition("_")
    if not sep:
        raise ValueError(f"{text!r} is not a settlement id")
    return IsoWeek.parse(week), UUID(person)


@dataclass
class Stored:
    """A settlements row (an approved, paid or cancelled week)."""

    row: asyncpg.Record

    @property
    def status(self) -> str:
        return str(self.row["status"])

    @property
    def decided(self) -> bool:
        """Approved or paid: the stored statement is the week's answer."""
        return self.status in ("approved", "paid")

    def statement(self) -> Statement | None:
        raw = self.row["statement"]
        return None if raw is None else _STATEMENT.decode(raw)

    def summary(self) -> Summary:
        """The list's columns of the stored statement (a row of ``_WEEK_SUMS`` or whole)."""
        if "platforms" not in self.row:
            raw = self.row["statement"]
            return summarise_json(raw) if raw is not None else summarise(None)
        if self.row["balance"] is None:
            return summarise(None)
        sums = dict(_PLATFORM_SUMS.decode(self.row["platforms"]))
        return Summary(self.row["balance"], sums, self.row["other"])


@dataclass
class Week:
    """Everything the week's drafts need, for a set of people."""

    week: IsoWeek
    org: UUID
    names: dict[UUID, str] = field(default_factory=dict)
    identities: dict[UUID, list[tuple[str, str]]] = field(default_factory=dict)
    stored: dict[UUID, Stored] = field(default_factory=dict)
    drafts: dict[UUID, Statement] = field(default_factory=dict)  # computed by this call
    kept: dict[UUID, Kept] = field(default_factory=dict)  # kept ones still valid
    schemes: dict[UUID, tuple[Scheme, IsoWeek | None]] = field(default_factory=dict)

    def draft(self, person: UUID) -> Statement | None:
        """The person's draft (a cancelled week shows it too); None when decided."""
        found = self.drafts.get(person)
        if found is None and person in self.kept:
            found = self.kept[person].statement()
        return found

    def statement(self, person: UUID) -> Statement | None:
        """The approved statement when there is one, else the draft."""
        stored = self.stored.get(person)
        if stored is not None and stored.decided:
            return stored.statement()
        return self.draft(person)

    def summary(self, person: UUID) -> Summary:
        """The list's columns of the person's week (:meth:`statement`'s)."""
        stored = self.stored.get(person)
        if stored is not None and stored.decided:
            return stored.summary()
        if person in self.kept:
            return self.kept[person].summary
        return summarise(self.drafts.get(person))


_PEOPLE = """
SELECT person_id, display_name FROM people
WHERE org_id = $1 AND ($2::uuid[] IS NULL OR person_id = ANY($2)) ORDER BY display_name, person_id
"""
# An Uber transaction counts in the week its trip was first paid: a tip or an adjustment Uber
# processes days later belongs to the trip's week, which regularises it once approved
# (docs/SETTLEMENTS.md). A transaction without a trip counts when processed. So the week's
# transactions are those processed in it whose trip has none before it (one probe each of
# index uber_transactions_trip), and the later ones of the same trips (a hash join, no
# probe). Only a trip's first transaction counts the trip (``first_of_trip``), so a late tip
# is not one more trip.
_UBER = """
WITH week AS (
    SELECT t.driver_id, t.breakdown, t.trip_id, t.last_position,
           t.trip_id IS NOT NULL AND row_number() OVER (
               PARTITION BY t.trip_id ORDER BY t.processed_at, t.transaction_id) = 1
               AS first_of_trip
    FROM uber_transactions t
    WHERE t.org_id = $1 AND t.driver_id = ANY($2) AND t.processed_at >= $3
      AND t.processed_at < $4 AND NOT EXISTS (
          SELECT 1 FROM uber_transactions o
          WHERE o.org_id = $1 AND o.trip_id = t.trip_id AND o.processed_at < $3)
)
SELECT driver_id, breakdown, trip_id, last_position, first_of_trip FROM week
UNION ALL
SELECT t.driver_id, t.breakdown, t.trip_id, t.last_position, false
FROM uber_transactions t
WHERE t.org_id = $1 AND t.driver_id = ANY($2) AND t.processed_at >= $4
  AND t.trip_id IN (SELECT trip_id FROM week)
ORDER BY last_position
"""
# Bolt's settlement counts an order in the week of its payment confirmation
# (docs/PROVIDERS.md §2.8); an order without one counts when it finished or was cancelled.
# Summed per driver here (each figure with the positions of the orders where it is not
# zero), which is what ``bolt_figures`` of each order would add up to, without a row each.
_BOLT_SUMS = ", ".join(
    f"{total} AS {name}, array_agg(last_position) FILTER (WHERE {nonzero}) AS {name}_at"
    for name, total, nonzero in BOLT_SUMS
)
_BOLT = f"""
SELECT driver_uuid, {_BOLT_SUMS}
FROM bolt_orders
WHERE org_id = $1 AND driver_uuid = ANY($2)
  AND coalesce(price_reviewed_at, finished_at, cancelled_at) >= $3
  AND coalesce(price_reviewed_at, finished_at, cancelled_at) < $4
GROUP BY driver_uuid
"""  # noqa: S608 (the names and expressions are ours, contracts.settlement.BOLT_SUMS)
# Hours for payroll: Uber's daily metrics are per Paris day, so they follow the calendar
# week (Monday 00:00 to Monday 00:00), not Uber's 04:00 money boundary.
_HOURS = """
SELECT driver_id, round(coalesce(sum(hours_online), 0) * 60)::bigint AS online,
       round(coalesce(sum(hours_on_trip), 0) * 60)::bigint AS on_trip, max(last_position) AS pos
FROM driver_daily_metrics
WHERE org_id = $1 AND provider = 'uber' AND driver_id = ANY($2) AND day >= $3 AND day < $4
GROUP BY driver_id
"""
# Bolt's hours for payroll, from its state logs over the calendar week (as Uber's): each state
# lasts until the driver's next one; online is any state but ``inactive``, on trip is
# ``has_order`` (from accepting an order to its end, the drive to the pick-up included). The
# state in force at the week's start was logged at most a day before (a shift is shorter),
# and the one at its end is closed by a log within a day after; a state not closed yet
# counts nothing until its next log comes. Two logs at one instant: ``inactive`` last.
_BOLT_HOURS = """
WITH logs AS (
    SELECT driver_uuid, state, created_at, last_position,
           lead(created_at) OVER (PARTITION BY driver_uuid
                                  ORDER BY created_at, state = 'inactive') AS until
    FROM bolt_state_logs
    WHERE org_id = $1 AND driver_uuid = ANY($2)
      AND created_at >= $3::timestamptz - interval '1 day'
      AND created_at < $4::timestamptz + interval '1 day'
), spans AS (
    SELECT driver_uuid, state, last_position,
           extract(epoch FROM least(until, $4::timestamptz)
                              - greatest(created_at, $3::timestamptz)) AS seconds
    FROM logs WHERE until > $3::timestamptz AND created_at < $4::timestamptz
)
SELECT driver_uuid,
       round(coalesce(sum(seconds) FILTER (WHERE state <> 'inactive'), 0) / 60)::bigint AS online,
       round(coalesce(sum(seconds) FILTER (WHERE state = 'has_order'), 0) / 60)::bigint AS on_trip,
       max(last_position) AS pos
FROM spans GROUP BY driver_uuid
"""
_SCHEMES = """
SELECT DISTINCT ON (person_id) person_id, scheme, effective_from FROM settlement_schemes
WHERE org_id = $1 AND person_id = ANY($2) AND effective_from <= $3
ORDER BY person_id, effective_from DESC
"""
_LINES = """
SELECT line_id, person_id, kind, category, label, amount, receipt, position
FROM settlement_lines
WHERE org_id = $1 AND person_id = ANY($2) AND removed_position IS NULL
  AND first_monday <= $3 AND (last_monday IS NULL OR last_monday >= $3)
"""
_STORED = """
SELECT * FROM settlements WHERE org_id = $1 AND person_id = ANY($2) AND week = ANY($3::text[])
"""
_WEEK_STORED = """
SELECT * FROM settlements
WHERE org_id = $1 AND week = $2 AND ($3::uuid[] IS NULL OR person_id = ANY($3))
"""
# The list's columns of each stored week, summed here rather than each statement sent whole
# and decoded (what summarise gives: each platform's lines in their order, the others apart).
_WEEK_SUMS = """
SELECT person_id, status, (statement ->> 'balance')::bigint AS balance,
       (SELECT coalesce(json_agg(json_build_array(provider, total) ORDER BY first), '[]')
        FROM (SELECT l ->> 'provider' AS provider, sum((l ->> 'amount')::bigint) AS total,
                     min(n) AS first
              FROM jsonb_array_elements(statement -> 'lines') WITH ORDINALITY AS e(l, n)
              WHERE l ->> 'provider' IS NOT NULL GROUP BY 1) p)::text AS platforms,
       (SELECT coalesce(sum((l ->> 'amount')::bigint), 0)
        FROM jsonb_array_elements(statement -> 'lines') AS l
        WHERE l ->> 'provider' IS NULL)::bigint AS other
FROM settlements
WHERE org_id = $1 AND week = $2 AND ($3::uuid[] IS NULL OR person_id = ANY($3))
"""
_PLATFORM_SUMS = msgspec.json.Decoder(list[tuple[str, int]])


async def figures(
    conn: asyncpg.Connection, org: UUID, rules: Rules, week: IsoWeek,
    identities: dict[UUID, list[tuple[str, str]]],
) -> dict[UUID, list[Figure]]:  # fmt: skip
    """Each person's platform figures of ``week``, each with its source event position."""
    owner = {(p, d): person for person, ids in identities.items() for p, d in ids}
    categories = {**UBER_CATEGORIES, **dict(rules.uber_categories)}
    out: dict[UUID, list[Figure]] = defaultdict(list)
    for provider in PROVIDERS:
        drivers = [d for (p, d) in owner if p == provider]
        if not drivers:
            continue
        start, end = money_window(rules.boundaries, provider, week)
        if provider == "uber":
            monday = week.monday()
            for r in await conn.fetch(_HOURS, org, drivers, monday, monday + timedelta(days=7)):
                out[owner["uber", r["driver_id"]]] += _minutes("uber", r)
            for r in await conn.fetch(_UBER, org, drivers, start, end):
                raw = r["breakdown"]
                tree = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else raw
                trip = r["trip_id"] is not None and r["first_of_trip"]
                found = uber_figures(tree, r["last_position"], trip, categories)
                out[owner["uber", r["driver_id"]]] += found
        else:
            for r in await conn.fetch(_BOLT_HOURS, org, drivers, *week_bounds(week, WeekStart())):
                out[owner["bolt", r["driver_uuid"]]] += _minutes("bolt", r)
            for r in await conn.fetch(_BOLT, org, drivers, start, end):
                out[owner["bolt", r["driver_uuid"]]] += bolt_week_figures(dict(r))
    return out


def _minutes(provider: Provider, row: asyncpg.Record) -> list[Figure]:
    """A driver's payroll minutes of the week (online, on trip) as figures."""
    source = (row["pos"],)
    return [Figure(provider, "minutes_online", row["online"], source),
            Figure(provider, "minutes_on_trip", row["on_trip"], source)]  # fmt: skip


async def load_week(
    conn: asyncpg.Connection, org: UUID, rules: Rules, week: IsoWeek,
    people: list[UUID] | None = None, *, keeper: Keeper | None = None,
    statements: bool = True,
) -> Week:  # fmt: skip
    """The week of ``people`` (all of the org's people: None): each one's stored row, and a
    draft for those whose week is neither approved nor paid, kept or computed now.

    ``keeper``: kept drafts are read (through ``conn``) and new ones kept (None: compute
    every draft and keep nothing, as a decision's own transaction does).
    ``statements``: False reads the stored weeks and kept drafts without their statements
    (the list needs only :meth:`Week.summary`)."""
    found = Week(week, org)
    for r in await conn.fetch(_PEOPLE, org, people):
        found.names[r["person_id"]] = r["display_name"]
    ids = list(found.names)
    counted: dict[UUID, list[tuple[str, str, int]]] = defaultdict(list)
    for r in await conn.fetch(IDENTITIES, org, ids):
        found.identities.setdefault(r["person_id"], []).append((r["provider"], r["driver_id"]))
        counted[r["person_id"]].append((r["provider"], r["driver_id"], r["version"]))
    # The stamps are read before anything a draft is computed from (query_api/kept_drafts.py).
    stamped = await stamps(conn, org, rules, counted, ids) if keeper is not None else {}
    stored = _WEEK_STORED if statements else _WEEK_SUMS
    found.stored = {
        r["person_id"]: Stored(r) for r in await conn.fetch(stored, org, str(week), people)
    }
    undecided = [p for p in ids if not (p in found.stored and found.stored[p].decided)]
    if keeper is None:
        await _compute(conn, org, rules, found, undecided)
        return found
    need = await _valid(conn, found, undecided, stamped, statements)
    if need:
        async with keeper.computing(org, week):
            need = await _valid(conn, found, need, stamped, statements)  # kept meanwhile?
            await _compute(conn, org, rules, found, need)
            await keep(keeper.pool, org, week, {p: (stamped[p], found.drafts[p]) for p in need})
    return found


async def _valid(
    conn: asyncpg.Connection, found: Week, people: list[UUID], stamped: dict[UUID, str],
    statements: bool,
) -> list[UUID]:  # fmt: skip
    """Put the valid kept drafts of ``people`` in ``found.kept``; the others, to compute."""
    for person, k in (await kept(conn, org=found.org, week=found.week, people=people,
                                 statements=statements)).items():  # fmt: skip
        if k.stamp == stamped[person]:
            found.kept[person] = k
    return [p for p in people if p not in found.kept]


async def _compute(
    conn: asyncpg.Connection, org: UUID, rules: Rules, found: Week, need: list[UUID]
) -> None:
    """The drafts of ``need`` into ``found.drafts``: every query scoped to them."""
    if not need:
        return
    week = found.week
    lookback = [shift(week, -k) for k in range(LOOKBACK_WEEKS, 0, -1)]
    stored: dict[tuple[UUID, str], Stored] = {
        (r["person_id"], r["week"]): Stored(r)
        for r in await conn.fetch(_STORED, org, need, [str(w) for w in lookback])
    }
    found.schemes.update(await schemes_of(conn, org, week, need))
    monday = week.monday()
    lines: dict[UUID, list[Line]] = defaultdict(list)
    for r in await conn.fetch(_LINES, org, need, monday):
        lines[r["person_id"]].append(Line(
            line_id=str(r["line_id"]), kind=r["kind"], category=r["category"], label=r["label"],
            amount=r["amount"], seq=r["position"], receipt=r["receipt"], sources=(r["position"],),
        ))  # fmt: skip
    identities = {p: found.identities[p] for p in need if p in found.identities}
    money = await figures(conn, org, rules, week, identities)
    regs = await _regularisations(conn, org, rules, week, identities, stored)
    previous = str(shift(week, -1))
    for person in need:
        scheme = found.schemes.get(person, (rules.default_scheme, None))[0]
        before = stored.get((person, previous))
        opening: int = 0
        opening_sources: tuple[int, ...] = ()
        if before is not None and before.decided:
            approved = before.statement()
            opening = carried(approved) if approved is not None else 0
            opening_sources = (int(before.row["last_position"]),)
        found.drafts[person] = compute(Inputs(
            person, week, scheme, rules.vat_rate, tuple(money.get(person, ())),
            (*regs.get(person, ()), *lines.get(person, ())), opening, opening_sources,
            bolt_net_includes=rules.bolt_net_includes,
        ))  # fmt: skip


async def schemes_of(
    conn: asyncpg.Connection, org: UUID, week: IsoWeek, people: list[UUID]
) -> dict[UUID, tuple[Scheme, IsoWeek | None]]:
    """Each person's scheme in force in ``week`` and the week it took effect (none: the
    org's default applies, not in the answer)."""
    out: dict[UUID, tuple[Scheme, IsoWeek | None]] = {}
    for r in await conn.fetch(_SCHEMES, org, people, week.monday()):
        effective = IsoWeek(*r["effective_from"].isocalendar()[:2])
        out[r["person_id"]] = (_SCHEME.decode(r["scheme"]), effective)
    return out


async def names_of(conn: asyncpg.Connection, org: UUID, people: list[UUID]) -> dict[UUID, str]:
    """Each of ``people``'s display name (those who are people of the org)."""
    return {r["person_id"]: r["display_name"] for r in await conn.fetch(_PEOPLE, org, people)}


async def _regularisations(
    conn: asyncpg.Connection, org: UUID, rules: Rules, week: IsoWeek,
    identities: dict[UUID, list[tuple[str, str]]], stored: dict[tuple[UUID, str], Stored],
) -> dict[UUID, list[Line]]:  # fmt: skip
    """For each earlier approved week in the look-back, what it would be now minus what was
    approved, less what approved weeks since have already regularised. Only in the next open
    week: when a draft lies between, it is that one's (a cancelled week is passed over)."""
    out: dict[UUID, list[Line]] = defaultdict(list)
    for k in range(LOOKBACK_WEEKS, 0, -1):
        earlier = shift(week, -k)
        since_then = [str(shift(week, -j)) for j in range(k - 1, 0, -1)]
        # An open week between takes the regularisation: its figures are not even read here.
        approved = {
            p: st for (p, w), s in stored.items()
            if w == str(earlier) and s.decided
            and all((p, x) in stored for x in since_then) and (st := s.statement()) is not None
        }  # fmt: skip
        if not approved:
            continue
        theirs = {p: identities.get(p, []) for p in approved}
        money = await figures(conn, org, rules, earlier, theirs)
        for person, then in approved.items():
            between = [stored.get((person, x)) for x in since_then]
            now = compute(Inputs(person, earlier, then.scheme, then.vat_rate,
                                 tuple(money.get(person, ())),
                                 bolt_net_includes=then.bolt_net_includes))  # fmt: skip
            done: dict[str, int] = defaultdict(int)
            for since in between:
                statement = since.statement() if since is not None else None
                for line in statement.lines if statement else []:
                    done[line.line_id] += line.amount
            for reg in regularisation(then, now, seq=(LOOKBACK_WEEKS - k) * 1000):
                rest = reg.amount - done.get(reg.line_id, 0)
                if rest:
                    out[person].append(msgspec.structs.replace(reg, amount=rest))
    return out


def incomplete_for(platforms: dict[str, bool], identities: list[tuple[str, str]]) -> list[str]:
    """The person's platforms (those they have an identity on) whose week is incomplete."""
    mine = sorted({p for p, _ in identities})
    return [p for p in mine if not platforms.get(p, False)]
