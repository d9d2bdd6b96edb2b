"""Settlements as a pure function: boundaries across clock changes, schemes, the one rounding
rule, and properties (lines add up to the balance, carry-forward chains close, an approved
statement is never changed by later data, which becomes regularisation lines)."""

from __future__ import annotations

from datetime import date, datetime, time
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.settlement import (
    Figure,
    Inputs,
    Line,
    Scheme,
    bolt_figures,
    carried,
    compute,
    parse_scheme,
    percent_bp,
    regularisation,
    share,
    uber_figures,
)
from contracts.weeks import (
    DEFAULT_BOUNDARIES,
    PARIS,
    PROVIDERS,
    Boundary,
    IsoWeek,
    WeekStart,
    money_week,
    money_window,
    parse_boundaries,
    shift,
)

PERSON = UUID("00000000-0000-0000-0000-0000000000aa")
WEEK = IsoWeek(2026, 10)


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS)


# Mondays: winter (2026-01-12), summer (2026-07-13), and the Mondays right after the clock
# changes (2026-03-30: the night of 28-29 March lost an hour; 2026-10-26: 25 October gained one).
MONDAYS = [date(2026, 1, 12), date(2026, 7, 13), date(2026, 3, 30), date(2026, 10, 26)]


@pytest.mark.parametrize("monday", MONDAYS)
def test_a_trip_ending_monday_0359_is_uber_last_week_and_0401_this_week(monday: date) -> None:
    this = IsoWeek(*monday.isocalendar()[:2])
    before = paris(monday.year, monday.month, monday.day, 3, 59)
    after = paris(monday.year, monday.month, monday.day, 4, 1)
    assert money_week(DEFAULT_BOUNDARIES, "uber", before) == shift(this, -1)
    assert money_week(DEFAULT_BOUNDARIES, "uber", after) == this
    # Bolt's week starts at midnight: both are this week's, and Sunday 23:59 is last week's.
    assert money_week(DEFAULT_BOUNDARIES, "bolt", before) == this
    assert money_week(DEFAULT_BOUNDARIES, "bolt", after) == this
    sunday = paris(monday.year, monday.month, monday.day, 0, 0).replace(day=monday.day - 1)
    assert money_week(DEFAULT_BOUNDARIES, "bolt", sunday.replace(hour=23, minute=59)) == shift(
        this, -1
    )


@pytest.mark.parametrize(
    ("week", "hours"), [(IsoWeek(2026, 13), 167), (IsoWeek(2026, 43), 169), (WEEK, 168)]
)
def test_weeks_over_a_clock_change_last_167_or_169_hours(week: IsoWeek, hours: int) -> None:
    for provider in PROVIDERS:
        start, end = money_window(DEFAULT_BOUNDARIES, provider, week)
        assert (end - start).total_seconds() == hours * 3600
        assert start.astimezone(PARIS).time() == (time(4) if provider == "uber" else time(0))


def test_a_boundary_change_takes_effect_on_its_monday_and_weeks_still_tile() -> None:
    rows = parse_boundaries(
        "2000-01-03 uber MON 04:00; 2026-03-09 uber MON 02:00; 2000-01-03 bolt MON 00:00"
    )
    before = money_window(rows, "uber", IsoWeek(2026, 10))
    after = money_window(rows, "uber", IsoWeek(2026, 11))
    assert before[0].astimezone(PARIS).time() == time(4)
    assert before[1] == after[0]
    assert after[0].astimezone(PARIS).time() == time(2)
    assert money_week(rows, "uber", paris(2026, 3, 9, 3, 0)) == IsoWeek(2026, 11)


def test_boundaries_setting_needs_both_providers() -> None:
    with pytest.raises(ValueError, match="bolt"):
        parse_boundaries("2000-01-03 uber MON 04:00")
    with pytest.raises(ValueError):
        parse_boundaries("2000-01-03 heetch MON 04:00; 2000-01-03 bolt MON 00:00")
    assert Boundary(date(2000, 1, 3), "uber", WeekStart(0, time(4))) in DEFAULT_BOUNDARIES


@pytest.mark.parametrize(
    ("amount", "num", "den", "expected"),
    [(1005, 1, 10, 101), (1004, 1, 10, 100), (-1005, 1, 10, -101), (10000, 2500, 12500, 2000),
     (333, 2000, 10_000, 67), (0, 2000, 10_000, 0)],
)  # fmt: skip
def test_share_rounds_half_away_from_zero(amount: int, num: int, den: int, expected: int) -> None:
    assert share(amount, num, den) == expected


def test_scheme_settings() -> None:
    assert parse_scheme("salaried") == Scheme(kind="salaried")
    assert parse_scheme("rental 30000") == Scheme(kind="rental", rent=30000)
    assert parse_scheme("split inclusive 25") == Scheme(
        kind="split", mode="inclusive", fleet_share=2500
    )
    assert percent_bp("5.5") == 550
    with pytest.raises(ValueError):
        parse_scheme("split 25")


def uber(key: str, amount: int, *sources: int) -> Figure:
    return Figure("uber", key, amount, sources)


def bolt(key: str, amount: int, *sources: int) -> Figure:
    return Figure("bolt", key, amount, sources)


FIGURES = (
    uber("fares", 100_00, 1), uber("service_fee", -25_00, 1), uber("tips", 5_00, 2),
    uber("cash_collected", 30_00, 3), uber("tolls", 4_00, 4),
    bolt("ride_price", 50_00, 10), bolt("commission", -10_00, 10), bolt("tip", 2_00, 11),
    bolt("net_earnings", 42_00, 10, 11),
    bolt("cash", 20_00, 12),
)  # fmt: skip


def test_split_direct_keeps_the_fleet_share_with_vat_and_tips_go_to_the_driver() -> None:
    scheme = Scheme(kind="split", fleet_share=2500)
    s = compute(Inputs(PERSON, WEEK, scheme, 2000, FIGURES))
    lines = {x.line_id: x for x in s.lines}
    assert lines["uber:revenue"].amount == 75_00
    assert lines["uber:fleet_share"].ht == 18_75
    assert lines["uber:fleet_share"].vat == 3_75
    assert lines["uber:fleet_share"].amount == -22_50
    assert lines["uber:cash"].amount == -30_00
    assert lines["uber:tips"].amount == 5_00
    assert "uber:fleet_tips" not in lines
    assert lines["bolt:revenue"].amount == 40_00  # Bolt's net, its tip on a line of its own
    assert lines["bolt:tips"].amount == 2_00
    assert lines["bolt:fleet_share"].ht == 10_00
    assert lines["uber:revenue"].sources == (1,)
    assert lines["bolt:cash"].sources == (12,)
    assert s.balance == sum(x.amount for x in s.lines)
    # never blended: each platform keeps its own block
    assert [b.provider for b in s.blocks] == ["uber", "bolt"]
    assert s.blocks[0].figures["fares"] == 100_00


def test_split_inclusive_is_pct_over_100_plus_pct() -> None:
    scheme = Scheme(kind="split", fleet_share=2500, mode="inclusive", tips_to_driver=5000)
    s = compute(Inputs(PERSON, WEEK, scheme, 0, (uber("fares", 125_00), uber("tips", 3_01))))
    lines = {x.line_id: x for x in s.lines}
    assert lines["uber:fleet_share"].amount == -25_00  # 125 × 25 / 125
    assert lines["uber:fleet_tips"].amount == -1_50  # half of 3.01, the driver's half rounded up


def test_rental_charges_rent_and_km_with_vat_and_salaried_feeds_payroll_only() -> None:
    scheme = Scheme(kind="rental", rent=300_00, km_included=1000, km_rate=15)
    s = compute(Inputs(PERSON, WEEK, scheme, 2000, FIGURES, km=1100))
    lines = {x.line_id: x for x in s.lines}
    assert lines["rent"].amount == -360_00
    assert lines["km"].ht == 15_00
    salaried = compute(Inputs(PERSON, WEEK, Scheme(kind="salaried"), 2000, FIGURES))
    assert [x.kind for x in salaried.lines] == []
    assert salaried.blocks[0].shared == 75_00


def test_lines_in_a_stable_order_opening_first() -> None:
    lines = (
        Line(line_id="b", kind="one_off", category="fuel", label="Carburant", amount=-10_00, seq=9),
        Line(line_id="a", kind="recurring", category="rent", label="Caution", amount=-5_00, seq=20),
        Line(line_id="c", kind="one_off", category="bonus", label="Prime", amount=10_00, seq=3),
    )  # fmt: skip
    s = compute(
        Inputs(PERSON, WEEK, Scheme(kind="rental", rent=100_00), 0, (), lines, opening=-7_00)
    )
    assert [x.line_id for x in s.lines] == ["opening", "rent", "a", "c", "b"]
    assert s.balance == -7_00 - 100_00 - 5_00 + 10_00 - 10_00


amounts = st.integers(min_value=-1_000_000, max_value=1_000_000)
figures = st.lists(
    st.one_of(
        st.builds(uber, st.sampled_from(["fares", "tips", "promotions", "service_fee", "tolls",
                                         "adjustments", "cash_collected"]),
                  amounts, st.integers(1, 10**6)),
        st.builds(bolt, st.sampled_from(["ride_price", "booking_fee", "toll_fee", "tip",
                                         "commission", "cash", "price_review"]),
                  amounts, st.integers(1, 10**6)),
    ),
    max_size=12,
)  # fmt: skip
schemes = st.one_of(
    st.just(Scheme(kind="salaried")),
    st.builds(lambda r, k: Scheme(kind="rental", rent=r, km_rate=k, km_included=500),
              st.integers(0, 100_000), st.integers(0, 100)),
    st.builds(lambda p, m, t: Scheme(kind="split", fleet_share=p, mode=m, tips_to_driver=t),
              st.integers(0, 10_000), st.sampled_from(["direct", "inclusive"]),
              st.integers(0, 10_000)),
)  # fmt: skip
manager_lines = st.lists(
    st.builds(lambda i, a: Line(line_id=f"l{i}", kind="one_off", category="other",
                                label="x", amount=a, seq=i), st.integers(0, 50), amounts),
    max_size=5, unique_by=lambda x: x.line_id,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(figures, schemes, manager_lines, st.integers(0, 3000), st.integers(-100_000, 0))
def test_lines_add_up_to_the_balance(f: list[Figure], scheme: Scheme, lines: list[Line],
                                     vat: int, opening: int) -> None:  # fmt: skip
    s = compute(Inputs(PERSON, WEEK, scheme, vat, tuple(f), tuple(lines), opening, km=800))
    assert s.balance == sum(x.amount for x in s.lines)
    for line in s.lines:
        if line.ht is not None:
            assert line.amount == -(line.ht + (line.vat or 0))
    assert compute(Inputs(PERSON, WEEK, scheme, vat, tuple(reversed(f)), tuple(lines), opening,
                          km=800)) == s  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(figures, manager_lines), min_size=1, max_size=6), schemes)
def test_carry_forward_chains_close(weeks: list[tuple[list[Figure], list[Line]]],
                                    scheme: Scheme) -> None:  # fmt: skip
    """Over a run of weeks, the last closing balance is the sum of every week's own lines
    minus what was paid out (each positive balance is paid, each negative one carried)."""
    opening, paid, own = 0, 0, 0
    week = WEEK
    for f, lines in weeks:
        s = compute(Inputs(PERSON, week, scheme, 2000, tuple(f), tuple(lines), opening))
        own += s.balance - opening
        paid += max(s.balance, 0)
        opening = carried(s)
        week = shift(week, 1)
    assert opening == own - paid


@settings(max_examples=150, deadline=None)
@given(figures, figures, schemes, manager_lines)
def test_an_approved_statement_never_changes_and_late_data_becomes_regularisation(
    early: list[Figure], late: list[Figure], scheme: Scheme, lines: list[Line]
) -> None:
    inputs = Inputs(PERSON, WEEK, scheme, 2000, tuple(early), tuple(lines))
    approved = compute(inputs)
    frozen = approved.digest()
    now = compute(Inputs(PERSON, WEEK, scheme, 2000, tuple(early + late), tuple(lines)))
    regs = regularisation(approved, now, seq=1)
    assert approved.digest() == frozen  # nothing mutates it
    nxt = compute(Inputs(PERSON, shift(WEEK, 1), scheme, 2000, (), tuple(regs)))
    bare = compute(Inputs(PERSON, shift(WEEK, 1), scheme, 2000, ()))
    # what the next week regularises is exactly what the approved week would now differ by
    assert nxt.balance - bare.balance == now.balance - approved.balance
    assert all(r.label.startswith("Régularisation semaine 2026-W10") for r in regs)


def test_settings_are_read_or_refused() -> None:
    from core.config import ConfigError
    from query_api.settlement_rules import settlement_rules

    assert settlement_rules({}).vat_rate == 2000
    rules = settlement_rules(
        {"FLEET_SETTLEMENT_DEFAULT_SCHEME": "rental 25000", "FLEET_SETTLEMENT_VAT_PCT": "5.5"}
    )
    assert rules.default_scheme == Scheme(kind="rental", rent=25000)
    assert rules.vat_rate == 550
    with pytest.raises(ConfigError, match="FLEET_WEEK_STARTS: no week boundary for bolt"):
        settlement_rules({"FLEET_WEEK_STARTS": "2026-01-05 uber MON 04:00"})
    env = {
        "FLEET_SETTLEMENT_BOLT_NET_INCLUDES": "none",
        "FLEET_SETTLEMENT_UBER_CATEGORIES": "Quest_X=promotions",
    }
    custom = settlement_rules(env)
    assert custom.bolt_net_includes == ()
    assert custom.uber_categories == (("quest_x", "promotions"),)
    for bad in ({"FLEET_SETTLEMENT_BOLT_NET_INCLUDES": "commission"},
                {"FLEET_SETTLEMENT_UBER_CATEGORIES": "x=salary"}):  # fmt: skip
        with pytest.raises(ConfigError):
            settlement_rules(bad)
    net_only = compute(Inputs(PERSON, WEEK, Scheme(kind="rental"), 0, FIGURES,
                              bolt_net_includes=()))  # fmt: skip
    assert net_only.blocks[1].shared == 42_00 and net_only.bolt_net_includes == ()


def test_provider_rows_become_figures() -> None:
    tree = [
        {"category": "fare", "amount_minor": 20_00, "children": []},
        {"category": "service_fee", "amount_minor": -5_00, "children": []},
        {"category": "earnings", "amount_minor": 3_00,
         "children": [{"category": "tip", "amount_minor": 3_00, "children": []}]},
        {"category": "mystery", "amount_minor": 1, "children": []},
        {"category": "cash_collected", "amount_minor": -20_00, "children": []},
    ]  # fmt: skip
    keys = [(f.key, f.amount, f.sources) for f in uber_figures(tree, 7)]
    assert keys == [("fares", 20_00, (7,)), ("service_fee", -5_00, (7,)), ("tips", 3_00, (7,)),
                    ("adjustments", 1, (7,)), ("cash_collected", 20_00, (7,))]  # fmt: skip
    order = {"ride_price": 15_00, "commission": 3_00, "net_earnings": 12_00, "tip": 0,
             "payment_method": "cash"}  # fmt: skip
    got = {f.key: f.amount for f in bolt_figures(order, 9)}
    assert got == {"ride_price": 15_00, "net_earnings": 12_00, "commission": -3_00, "cash": 15_00}
