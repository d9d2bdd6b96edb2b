"""The managers of the year's fleet: who is who, and each week's pay, as decisions.

At the start they onboard the Uber drivers (a person each), then the Bolt accounts join:
the people projection links a Bolt account to its Uber person by phone or e-mail; managers
link the pairs sharing neither (from the suggestion), create a person for each Bolt-only
driver, reject the homonyms' suggestions, and set every person's pay scheme. Every week
they add a few one-off lines (fuel, fines), approve each active person's statement on
Tuesday (computed by ``contracts.settlement.compute`` from that person's trips of the week,
each figure with the log position of its event) and pay it on Friday; a few people are
renamed each month. Decisions are appended through the decisions path
(``eventlog.decisions``), a batch of a moment's decisions per transaction.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from _year_world import FIRST_DAY, HOUR_S, SEED, SHARE, Money, epoch

from contracts import people as p
from contracts import settlement_decisions as d
from contracts.settlement import DEFAULT_BOUNDARIES, Figure, Inputs, Line, Scheme, compute
from contracts.weeks import IsoWeek
from projector.people.fold import suggestion_id
from simulator.bolt_world import BoltDriver
from simulator.platforms import slot_of
from simulator.world import UberDriver

MANAGER = {"user_id": UUID(int=19), "user_email": "gestion@flotte.test"}
SCHEMES = (
    (0.6, Scheme(kind="split", fleet_share=2500)),
    (0.25, Scheme(kind="rental", rent=30_000)),
    (1.0, Scheme(kind="salaried")),
)
ONE_OFFS = (("fuel", "Carburant avancé", -4_500), ("fines", "Amende de stationnement", -3_500),
            ("tolls", "Péages avancés", -1_200), ("bonus", "Prime qualité", 5_000))  # fmt: skip
APPROVE_AT = (1, 9)  # Tuesday (weekday 1), 09:00 UTC: the week before is approved
PAY_AT = (4, 14)  # Friday, 14:00 UTC: the approved week is paid


def person_id(index: int) -> UUID:
    """The person the managers create for the simulator's person ``index``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"bench-year:{SEED}:person:{index}")


def _week_of(provider: str, ts: int) -> IsoWeek:
    """The settlement week whose ``provider`` money holds ``ts``: Monday 04:00 (Uber) or
    00:00 (Bolt), Paris time (contracts/settlement.py, DEFAULT_BOUNDARIES)."""
    from contracts.weeks import money_week

    return money_week(DEFAULT_BOUNDARIES, provider, datetime.fromtimestamp(ts, UTC))  # type: ignore[arg-type]


class Managers:
    """Decides, hour by hour, what the fleet's managers decide."""

    def __init__(self, org: UUID, uber: Sequence[UberDriver], bolt: Sequence[BoltDriver]) -> None:
        self.org = org
        self._uber, self._bolt = list(uber), list(bolt)
        self._rng = random.Random(SEED)
        self.people: dict[UUID, str] = {}  # person id -> display name
        self.schemes: dict[UUID, Scheme] = {}
        self._figures: dict[tuple[UUID, str], list[Figure]] = defaultdict(list)
        self._lines: dict[tuple[UUID, str], list[tuple[d.LineAdded, int]]] = defaultdict(list)
        self._approved: dict[str, list[str]] = {}  # week -> settlement ids to pay
        self._weeks: dict[tuple[str, int], IsoWeek] = {}
        self.bolt_identities = [p.identity_id("bolt", b.driver_uuid) for b in self._bolt]

    def onboard_uber(self) -> list[p.Decided]:
        """A person for each Uber driver, before any Bolt account is seen."""
        decisions: list[p.Decided] = []
        for driver in self._uber:
            person, name = person_id(driver.person_index), f"{driver.first_name} {driver.last_name}"
            self.people[person] = name
            decisions.append(p.PersonCreated(
                person_id=person, display_name=name,
                identity_ids=[p.identity_id("uber", driver.driver_id)], **MANAGER,
            ))  # fmt: skip
        return decisions

    def onboard_bolt(self) -> list[p.Decided]:
        """After the Bolt accounts are seen: links, new people, rejections, schemes."""
        uber_of = {u.person_index: u for u in self._uber}
        decisions: list[p.Decided] = []
        for driver in self._bolt:
            bolt_id = p.identity_id("bolt", driver.driver_uuid)
            slot = slot_of(SEED, SHARE, driver.person_index // 2)
            person = person_id(driver.person_index)
            if driver.person_index in uber_of:
                if slot.contact == "no_shared_contact":  # only a suggestion finds them
                    decisions.append(p.IdentityLinked(person_id=person, identity_id=bolt_id,
                                                      **MANAGER))  # fmt: skip
                continue  # else the projection links it by phone or e-mail
            name = f"{driver.first_name} {driver.last_name}"
            self.people[person] = name
            decisions.append(p.PersonCreated(person_id=person, display_name=name,
                                             identity_ids=[bolt_id], **MANAGER))  # fmt: skip
            namesake = uber_of.get(driver.person_index - 1)
            if slot.homonym and namesake is not None:
                other = p.identity_id("uber", namesake.driver_id)
                decisions.append(p.SuggestionRejected(
                    suggestion_id=suggestion_id(self.org, bolt_id, other), identity_id=bolt_id,
                    other_identity_id=other, **MANAGER,
                ))  # fmt: skip
        return decisions + self._schemes()

    def _schemes(self) -> list[p.Decided]:
        first = IsoWeek(*FIRST_DAY.isocalendar()[:2])
        out: list[p.Decided] = []
        for person in self.people:
            roll = self._rng.random()
            scheme = next(s for share, s in SCHEMES if roll < share)
            self.schemes[person] = scheme
            out.append(d.SchemeSet(person_id=person, effective_week=str(first), scheme=scheme,
                                   **MANAGER))  # fmt: skip
        return out

    def counted(self, money: Sequence[Money | None], positions: Sequence[int]) -> None:
        """Note what each appended record counts for in its person's week."""
        for item, position in zip(money, positions, strict=True):
            if item is None:
                continue
            hour = (item.provider, item.at // HOUR_S)
            week = self._weeks.get(hour)
            if week is None:
                week = self._weeks[hour] = _week_of(item.provider, item.at)
            key = (person_id(item.person), str(week))
            provider = "uber" if item.provider == "uber" else "bolt"
            self._figures[key] += [
                Figure(provider, k, v, (position,)) for k, v in item.figures if v
            ]

    def due(self, at: int, head: int) -> list[p.Decided]:
        """What the managers decide in the hour starting at ``at`` (``head``: the log's last
        position, which an approval records)."""
        moment = datetime.fromtimestamp(at, UTC)
        when = (moment.weekday(), moment.hour)
        if when == (0, 10):
            return self._one_offs(moment.date())
        if when == APPROVE_AT:
            return self._approve(moment.date() - timedelta(days=8), head)
        if when == PAY_AT:
            return self._pay(moment.date())
        if moment.day == 15 and moment.hour == 11:
            return self._renames()
        return []

    def _one_offs(self, monday: date) -> list[p.Decided]:
        week = IsoWeek(*monday.isocalendar()[:2])
        out: list[p.Decided] = []
        for person in self._rng.sample(sorted(self.people), k=max(len(self.people) // 10, 1)):
            category, label, amount = self._rng.choice(ONE_OFFS)
            line = d.LineAdded(line_id=uuid.UUID(int=self._rng.getrandbits(128)), person_id=person,
                               kind="one_off", category=category, label=label, amount=amount,
                               week=str(week), **MANAGER)  # fmt: skip
            self._lines[(person, str(week))].append((line, 0))
            out.append(line)
        return out

    def _approve(self, monday: date, head: int) -> list[p.Decided]:
        week = IsoWeek(*monday.isocalendar()[:2])
        out: list[p.Decided] = []
        for person in self.people:
            figures = self._figures.pop((person, str(week)), [])
            lines = self._lines.pop((person, str(week)), [])
            if not figures and not lines:
                continue
            extra = tuple(
                Line(line_id=str(x.line_id), kind=x.kind, category=x.category, label=x.label,
                     amount=x.amount, seq=n)
                for n, (x, _) in enumerate(lines)
            )  # fmt: skip
            statement = compute(
                Inputs(person, week, self.schemes[person], 2000, tuple(figures), extra)
            )
            settlement = f"{week}_{person}"
            out.append(d.Approved(settlement_id=settlement, person_id=person, week=str(week),
                                  statement=statement, digest=statement.digest(), position=head,
                                  **MANAGER))  # fmt: skip
            self._approved.setdefault(str(week), []).append(settlement)
        return out

    def _pay(self, friday: date) -> list[p.Decided]:
        week = IsoWeek(*(friday - timedelta(days=11)).isocalendar()[:2])
        return [
            d.Paid(
                settlement_id=s,
                paid_on=friday,
                transfer_reference=f"VIR-{s[:8]}-{n:05d}",
                **MANAGER,
            )
            for n, s in enumerate(self._approved.pop(str(week), []))
        ]

    def _renames(self) -> list[p.Decided]:
        out: list[p.Decided] = []
        for person in self._rng.sample(sorted(self.people), k=min(5, len(self.people))):
            name = self.people[person].upper()
            out.append(p.PersonRenamed(person_id=person, display_name=name, **MANAGER))
        return out


__all__ = ["Managers", "epoch", "person_id"]
