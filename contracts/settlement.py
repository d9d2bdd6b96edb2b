"""A driver's weekly settlement as a pure function (no I/O, no clock): docs/SETTLEMENTS.md.

Inputs: the person's platform money for the week (each figure with the log positions it came
from), the pay scheme in force, the manager's lines and the previous week's closing balance.
Output: a :class:`Statement` — one block per platform (never blended), lines in a stable
order, and the balance, which is the sum of the lines. Every amount is integer cents (EUR).

Rounding, stated once: a computed amount (a share, a VAT) is rounded **half away from zero
to the cent, on each line**, by :func:`share`; sums are exact. Nothing else rounds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import msgspec

from contracts.weeks import (
    DEFAULT_BOUNDARIES,
    PROVIDERS,
    Boundary,
    IsoWeek,
    Provider,
)

# Each platform's figures, in statement order, and what each one is (the glossary).
UBER_FIGURES: dict[str, str] = {
    "fares": "Prix des courses (prix net de la course, majorations comprises)",
    "tips": "Pourboires reçus par l'application",
    "promotions": "Promotions et bonus versés par Uber",
    "service_fee": "Frais de service retenus par Uber (négatif)",
    "tolls": "Péages remboursés par Uber",
    "adjustments": "Ajustements d'Uber, y compris sur des semaines passées",
    "cash_collected": "Espèces encaissées par le chauffeur (déjà dans sa poche)",
}
BOLT_FIGURES: dict[str, str] = {
    "ride_price": "Prix des courses",
    "booking_fee": "Frais de réservation",
    "toll_fee": "Péages",
    "cancellation_fee": "Frais d'annulation",
    "tip": "Pourboires",
    "commission": "Commission retenue par Bolt (négatif)",
    "net_earnings": "Gains nets selon Bolt",
    "cash": "Courses payées en espèces (encaissées par le chauffeur)",
    "in_app": "Courses payées dans l'application",
    "price_review": "Ajustements après révision de prix",
}
FIGURES: dict[Provider, dict[str, str]] = {"uber": UBER_FIGURES, "bolt": BOLT_FIGURES}
# What the scheme shares, what goes to the driver whole, and the cash the driver holds.
_SHARED: dict[Provider, tuple[str, ...]] = {
    "uber": ("fares", "promotions", "service_fee", "adjustments"),
    "bolt": ("net_earnings", "price_review"),
}
# Figures Bolt's net earnings already contain, shown on lines of their own: the tip and the
# toll by our reading, not documented, hence a setting (docs/SETTLEMENTS.md).
BOLT_NET_INCLUDES: tuple[str, ...] = ("tip", "toll_fee")
_TIPS: dict[Provider, str] = {"uber": "tips", "bolt": "tip"}
_TOLLS: dict[Provider, str] = {"uber": "tolls", "bolt": "toll_fee"}
_CASH: dict[Provider, str] = {"uber": "cash_collected", "bolt": "cash"}
_NAME: dict[Provider, str] = {"uber": "Uber", "bolt": "Bolt"}
TRIPS = "trips"  # a figure that counts a trip (amount 1), kept apart from the money
# Figures that are counts for payroll, not money: summed into the block's own fields.
COUNTS = (TRIPS, "minutes_online", "minutes_on_trip")

SchemeKind = Literal["salaried", "rental", "split"]
SplitMode = Literal["direct", "inclusive"]
LineKind = Literal["recurring", "one_off", "regularisation"]
OneOffCategory = Literal["fuel", "tolls", "fines", "damage", "advance", "bonus", "rent",
                         "deposit", "insurance", "other"]  # fmt: skip


def share(amount: int, numerator: int, denominator: int) -> int:
    """``amount × numerator / denominator`` in cents, half away from zero (the one rule)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    product = abs(amount * numerator)
    rounded = (2 * product + denominator) // (2 * denominator)
    return rounded if amount * numerator >= 0 else -rounded


class Scheme(msgspec.Struct, frozen=True, kw_only=True):
    """How a person is paid. Rates are basis points (2500 = 25 %), money cents."""

    kind: SchemeKind
    rent: int = 0  # rental: weekly rent HT
    km_included: int = 0  # rental: km in the rent (0 with km_rate 0: no allowance)
    km_rate: int = 0  # rental: cents per km beyond km_included
    fleet_share: int = 0  # split: the fleet's share, basis points
    mode: SplitMode = "direct"  # split: direct pct × net, or inclusive pct / (100 + pct)
    tips_to_driver: int = 10_000  # split: basis points of tips the driver keeps

    def __post_init__(self) -> None:
        for name in ("rent", "km_included", "km_rate", "fleet_share", "tips_to_driver"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.tips_to_driver > 10_000:
            raise ValueError("tips_to_driver is at most 10000 (100 %)")


_SCHEME = re.compile(
    r"^\s*(?:(salaried)|rental\s+(\d+)|split\s+(direct|inclusive)\s+(\d+(?:\.\d{1,2})?))\s*$"
)


def parse_scheme(text: str) -> Scheme:
    """A setting's scheme: ``salaried``, ``rental <cents>``, ``split direct|inclusive <pct>``."""
    match = _SCHEME.match(text)
    if not match:
        raise ValueError(
            f"{text!r} is not a scheme like 'salaried', 'rental 30000', 'split direct 25'"
        )
    if match.group(1):
        return Scheme(kind="salaried")
    if match.group(2):
        return Scheme(kind="rental", rent=int(match.group(2)))
    mode: SplitMode = "direct" if match.group(3) == "direct" else "inclusive"
    return Scheme(kind="split", mode=mode, fleet_share=percent_bp(match.group(4)))


def percent_bp(text: str) -> int:
    """``"20"`` or ``"5.5"`` percent as basis points (2000, 550); ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d{1,3})(?:\.(\d{1,2}))?\s*", text)
    if not match:
        raise ValueError(f"{text!r} is not a percentage like 20 or 5.5")
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


DEFAULT_SCHEME = Scheme(kind="split", fleet_share=2500)


@dataclass(frozen=True)
class Rules:
    """The org-wide settlement settings (docs/SETTLEMENTS.md)."""

    default_scheme: Scheme = DEFAULT_SCHEME
    vat_rate: int = 2000  # basis points, on the fleet's own fees (rent, share)
    boundaries: tuple[Boundary, ...] = DEFAULT_BOUNDARIES
    bolt_net_includes: tuple[str, ...] = BOLT_NET_INCLUDES
    uber_categories: tuple[tuple[str, str], ...] = ()  # added to or overriding UBER_CATEGORIES


class Figure(msgspec.Struct, frozen=True):
    """One platform figure of the week, in cents, with the log positions it came from."""

    provider: Provider
    key: str
    amount: int
    sources: tuple[int, ...] = ()


class Line(msgspec.Struct, frozen=True, kw_only=True):
    """A manager's line (recurring, one-off) or a regularisation, as input.

    ``seq`` orders lines of one kind (the log position of the decision that added them);
    ``amount`` is signed: negative is owed by the driver (rent, fuel, a fine)."""

    line_id: str
    kind: LineKind
    category: str
    label: str
    amount: int
    seq: int
    receipt: str | None = None
    sources: tuple[int, ...] = ()


class StatementLine(msgspec.Struct, frozen=True, kw_only=True):
    """A line of the statement: a signed amount, what it is, where it came from."""

    line_id: str
    kind: str
    label: str
    amount: int
    provider: str | None = None
    ht: int | None = None  # a fleet fee's amount before VAT
    vat: int | None = None
    receipt: str | None = None
    sources: tuple[int, ...] = ()


class Block(msgspec.Struct, frozen=True, kw_only=True):
    """One platform's figures for the week, as the platform gives them."""

    provider: str
    figures: dict[str, int]
    shared: int  # what the scheme shares: revenue net of the platform's fees, tips and tolls apart
    tips: int
    tolls: int
    cash: int  # already in the driver's pocket
    trips: int = 0  # trips finished in the week (a count, for payroll), not money
    minutes_online: int = 0  # for payroll: Uber's daily metrics over the week's Paris days
    minutes_on_trip: int = 0


class Statement(msgspec.Struct, frozen=True, kw_only=True):
    """The week's statement: blocks per platform, lines in order, their sum as balance."""

    person_id: UUID
    week: str
    scheme: Scheme
    vat_rate: int
    blocks: list[Block]
    lines: list[StatementLine]
    balance: int
    bolt_net_includes: tuple[str, ...] = BOLT_NET_INCLUDES  # the setting it was computed with

    def digest(self) -> str:
        """A hash of every figure (the ETag of a draft), in a canonical order: the same for a
        statement read back from storage that reordered its keys."""
        return hashlib.sha256(msgspec.json.encode(self, order="sorted")).hexdigest()[:32]


@dataclass(frozen=True)
class Inputs:
    """Everything a statement depends on."""

    person_id: UUID
    week: IsoWeek
    scheme: Scheme
    vat_rate: int  # basis points, on the fleet's own fees
    figures: tuple[Figure, ...] = ()
    lines: tuple[Line, ...] = ()
    opening: int = 0  # the previous week's closing balance, when negative (else 0)
    opening_sources: tuple[int, ...] = ()
    km: int = 0  # rental: km driven in the week
    bolt_net_includes: tuple[str, ...] = BOLT_NET_INCLUDES


def _block(provider: Provider, figures: list[Figure], in_net: tuple[str, ...]) -> Block:
    totals = dict.fromkeys(FIGURES[provider], 0)
    counts = dict.fromkeys(COUNTS, 0)
    for f in figures:
        if f.key in counts:
            counts[f.key] += f.amount
        else:
            totals[f.key] = totals.get(f.key, 0) + f.amount
    shared = sum(totals.get(k, 0) for k in _SHARED[provider])
    shared -= sum(totals[k] for k in in_net) if provider == "bolt" else 0
    return Block(
        provider=provider,
        figures=totals,
        shared=shared,
        tips=totals[_TIPS[provider]],
        tolls=totals[_TOLLS[provider]],
        cash=totals[_CASH[provider]],
        trips=counts[TRIPS],
        minutes_online=counts["minutes_online"],
        minutes_on_trip=counts["minutes_on_trip"],
    )


def _sources(figures: list[Figure], *keys: str) -> tuple[int, ...]:
    return tuple(sorted({s for f in figures if f.key in keys for s in f.sources}))


def _fee(line_id: str, label: str, ht: int, vat_rate: int, provider: str | None,
         sources: tuple[int, ...]) -> StatementLine:  # fmt: skip
    """A fleet fee charged to the driver: HT, its VAT, and the TTC deducted."""
    vat = share(ht, vat_rate, 10_000)
    return StatementLine(
        line_id=line_id, kind="scheme", label=label, amount=-(ht + vat), provider=provider,
        ht=ht, vat=vat, sources=sources,
    )  # fmt: skip


def _platform_lines(inputs: Inputs, provider: Provider, block: Block,
                    figures: list[Figure]) -> list[StatementLine]:  # fmt: skip
    name, scheme, out = _NAME[provider], inputs.scheme, []

    def add(key: str, label: str, amount: int, *figure_keys: str) -> None:
        out.append(StatementLine(
            line_id=f"{provider}:{key}", kind="platform", label=label, amount=amount,
            provider=provider, sources=_sources(figures, *figure_keys),
        ))  # fmt: skip

    if scheme.kind == "salaried":
        return []  # the revenue is the fleet's; the statement feeds payroll
    add("revenue", f"Revenu net {name}", block.shared, *_SHARED[provider])
    add("tips", f"Pourboires {name}", block.tips, _TIPS[provider])
    add("tolls", f"Péages {name}", block.tolls, _TOLLS[provider])
    add("cash", f"Espèces encaissées {name}", -block.cash, _CASH[provider])
    if scheme.kind == "split":
        pct = scheme.fleet_share
        if scheme.mode == "direct":
            ht = share(block.shared, pct, 10_000)
        else:
            ht = share(block.shared, pct, 10_000 + pct)
        src = _sources(figures, *_SHARED[provider])
        out.append(_fee(f"{provider}:fleet_share", f"Part de la flotte {name}", ht,
                        inputs.vat_rate, provider, src))  # fmt: skip
        kept_tips = block.tips - share(block.tips, scheme.tips_to_driver, 10_000)
        if kept_tips:
            add("fleet_tips", f"Part de la flotte sur les pourboires {name}", -kept_tips,
                _TIPS[provider])  # fmt: skip
    return out


_KIND_ORDER = {"regularisation": 0, "recurring": 1, "one_off": 2}


def compute(inputs: Inputs) -> Statement:
    """The statement of ``inputs`` (see the module docstring)."""
    lines: list[StatementLine] = []
    if inputs.opening:
        lines.append(StatementLine(
            line_id="opening", kind="opening", label="Report du solde de la semaine précédente",
            amount=inputs.opening, sources=inputs.opening_sources,
        ))  # fmt: skip
    blocks = []
    for provider in PROVIDERS:
        mine = [f for f in inputs.figures if f.provider == provider]
        block = _block(provider, mine, inputs.bolt_net_includes)
        blocks.append(block)
        lines.extend(_platform_lines(inputs, provider, block, mine))
    scheme = inputs.scheme
    if scheme.kind == "rental":
        lines.append(_fee("rent", "Location hebdomadaire", scheme.rent, inputs.vat_rate, None, ()))
        extra = max(0, inputs.km - scheme.km_included)
        if scheme.km_rate and extra:
            lines.append(_fee("km", f"Kilomètres au-delà du forfait ({extra} km)",
                              extra * scheme.km_rate, inputs.vat_rate, None, ()))  # fmt: skip
    lines = [
        x for x in lines if x.amount or x.kind == "opening"
    ]  # a platform's zeros stay in its block
    for line in sorted(inputs.lines, key=lambda x: (_KIND_ORDER[x.kind], x.seq, x.line_id)):
        lines.append(StatementLine(
            line_id=line.line_id, kind=line.kind, label=line.label, amount=line.amount,
            receipt=line.receipt, sources=line.sources,
        ))  # fmt: skip
    return Statement(
        person_id=inputs.person_id, week=str(inputs.week), scheme=scheme,
        vat_rate=inputs.vat_rate, blocks=blocks, lines=lines,
        bolt_net_includes=inputs.bolt_net_includes,
        balance=sum(x.amount for x in lines),
    )  # fmt: skip


def carried(statement: Statement) -> int:
    """What the next week opens with: the balance when negative (owed by the driver), else 0."""
    return min(statement.balance, 0)


def regularisation(approved: Statement, now: Statement, seq: int) -> list[Line]:
    """Lines for the next open week: what ``approved``'s week would be now minus what was
    approved, for each platform or scheme line that moved (late data), with its sources, in
    the approved statement's line order (``seq``, ``seq + 1``...)."""
    before = {x.line_id: x for x in approved.lines if x.kind in ("platform", "scheme")}
    after = {x.line_id: x for x in now.lines if x.kind in ("platform", "scheme")}
    out: list[Line] = []
    for line_id in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(line_id), after.get(line_id)
        delta = (new.amount if new else 0) - (old.amount if old else 0)
        if delta:
            label = (new or old).label  # type: ignore[union-attr]
            sources = tuple(
                sorted(set(new.sources if new else ()) - set(old.sources if old else ()))
            )
            out.append(Line(
                line_id=f"reg:{approved.week}:{line_id}", kind="regularisation",
                category="regularisation",
                label=f"Régularisation semaine {approved.week} : {label}",
                amount=delta, seq=seq + len(out), sources=sources,
            ))  # fmt: skip
    return out


# Uber's money-tree categories (leaves) and the figure each one adds to. Uber's names are
# seen live for a few (fare, tip, service_fee); the others are assumed (docs/PROVIDERS.md).
# A category not listed counts as an adjustment, so no money is ever dropped.
UBER_CATEGORIES: dict[str, str] = {
    "fare": "fares", "net_fare": "fares", "surge": "fares", "tip": "tips",
    "promotion": "promotions", "promotions": "promotions", "bonus": "promotions",
    "incentive": "promotions", "quest": "promotions", "service_fee": "service_fee",
    "toll": "tolls", "tolls": "tolls", "adjustment": "adjustments",
    "cash_collected": "cash_collected", "cash": "cash_collected",
}  # fmt: skip


def uber_figures(
    tree: list[dict[str, object]], position: int, trip: bool = False,
    categories: Mapping[str, str] = UBER_CATEGORIES,
) -> list[Figure]:  # fmt: skip
    """An Uber transaction's breakdown (``[{category, amount_minor, children}]``, minor units)
    as figures: the leaves, each mapped by :data:`UBER_CATEGORIES`; ``trip``: it counts one."""
    out: list[Figure] = [Figure("uber", TRIPS, 1, (position,))] if trip else []
    for node in tree:
        children = node.get("children")
        if isinstance(children, list) and children:
            out += uber_figures(children, position, categories=categories)
            continue
        amount = node.get("amount_minor")
        if not isinstance(amount, int) or not amount:
            continue
        name = str(node.get("category") or "").lower()
        key = categories.get(name, "adjustments")
        if key == "cash_collected":
            amount = abs(amount)  # the driver holds it, whatever sign the tree gives it
        out.append(Figure("uber", key, amount, (position,)))
    return out


def bolt_figures(order: dict[str, object], position: int) -> list[Figure]:
    """A Bolt order (the ``bolt_orders`` row, cents) as figures: its prices, the commission
    (negative), net earnings, and its price again as cash or in-app by payment method."""

    def cents(key: str) -> int:
        value = order.get(key)
        return value if isinstance(value, int) else 0

    keys = ("ride_price", "booking_fee", "toll_fee", "cancellation_fee", "tip", "net_earnings")
    out = [Figure("bolt", k, cents(k), (position,)) for k in keys]
    out.append(Figure("bolt", "commission", -abs(cents("commission")), (position,)))
    if order.get("finished_at") is not None:
        out.append(Figure("bolt", TRIPS, 1, (position,)))
    paid = "cash" if str(order.get("payment_method") or "").lower() == "cash" else "in_app"
    out.append(Figure("bolt", paid, cents("ride_price"), (position,)))
    return [f for f in out if f.amount]


_CASH_SQL = "lower(coalesce(payment_method, '')) = 'cash'"
# A driver's Bolt orders of a week summed in SQL, as ``bolt_figures`` sums them order by order:
# (figure, its sum, the orders it is not zero on). The read model's amounts are never null.
BOLT_SUMS: tuple[tuple[str, str, str], ...] = (
    *((k, f"sum({k})", f"{k} <> 0") for k in ("ride_price", "booking_fee", "toll_fee",
                                                "cancellation_fee", "tip", "net_earnings")),
    ("commission", "-sum(abs(commission))", "commission <> 0"),
    (TRIPS, "count(*) FILTER (WHERE finished_at IS NOT NULL)", "finished_at IS NOT NULL"),
    ("cash", f"coalesce(sum(ride_price) FILTER (WHERE {_CASH_SQL}), 0)",
     f"{_CASH_SQL} AND ride_price <> 0"),
    ("in_app", f"coalesce(sum(ride_price) FILTER (WHERE NOT {_CASH_SQL}), 0)",
     f"NOT {_CASH_SQL} AND ride_price <> 0"),
)  # fmt: skip


def bolt_week_figures(sums: Mapping[str, object]) -> list[Figure]:
    """A driver's Bolt figures from the row of :data:`BOLT_SUMS` (``<figure>`` and
    ``<figure>_at``, the positions): one per figure any order had, as :func:`bolt_figures`
    gives order by order."""
    out = []
    for name, _, _ in BOLT_SUMS:
        amount, positions = sums[name], sums[f"{name}_at"]
        if positions:
            out.append(Figure("bolt", name, int(amount), tuple(positions)))  # type: ignore[call-overload, arg-type]
    return out


def parse_net_includes(text: str) -> tuple[str, ...]:
    """``tip,toll_fee`` (Bolt figures its net contains), or ``none``."""
    names = tuple(n.strip() for n in text.split(",") if n.strip() and n.strip() != "none")
    unknown = [n for n in names if n not in ("tip", "toll_fee")]
    if unknown:
        raise ValueError(f"{unknown}: Bolt's net may include tip and toll_fee only")
    return names


def parse_categories(text: str) -> tuple[tuple[str, str], ...]:
    """``category=figure`` pairs, comma-separated (``bonus_x=promotions``), for Uber."""
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, figure = part.partition("=")
        if not sep or figure.strip() not in UBER_FIGURES:
            raise ValueError(f"{part!r} is not category=<one of {', '.join(UBER_FIGURES)}>")
        pairs.append((name.strip().lower(), figure.strip()))
    return tuple(pairs)
