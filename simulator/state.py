"""The simulator's mutable state, built once per app by ``create_app``."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from simulator.activity import DayPlans, History
from simulator.bolt_world import BoltWorld
from simulator.chaos import Chaos
from simulator.churn import Churn
from simulator.clock import Clock
from simulator.late_tips import LateTips
from simulator.memo import Memo
from simulator.platforms import slot_share
from simulator.ratelimit import Buckets, Quota
from simulator.reports import ReportStore
from simulator.settings import SimulatorSettings
from simulator.stats import CallStats
from simulator.tokens import TokenStore, jwt_shaped
from simulator.world import UberWorld

T = TypeVar("T")
ANSWERS_KEPT = 8  # a few queries being paged through at once (orders, state logs, payments)
PLANS_KEPT = (16_384, 100_000)  # fewest and most day plans kept (a plan weighs about 5 kB)


@dataclass
class SimState:
    """Everything the route handlers share; handlers get it by closure, never globally."""

    settings: SimulatorSettings
    clock: Clock
    uber_world: UberWorld
    uber_tokens: TokenStore
    bolt_world: BoltWorld
    bolt_tokens: TokenStore
    uber_mints: Quota  # 100 token mints per hour
    report_links: Quota  # 600 signed links per 10 minutes
    reports: ReportStore
    churn: Churn
    plans: DayPlans
    buckets: Buckets = field(default_factory=Buckets)
    chaos: Chaos = field(default_factory=Chaos)
    stats: CallStats = field(default_factory=CallStats)
    answers: Memo = field(default_factory=lambda: Memo(ANSWERS_KEPT))
    late_tips: LateTips = field(default_factory=LateTips)  # POST /_sim/uber/late-tip

    def now_s(self) -> int:
        """The injected clock's time as unix seconds."""
        return int(self.clock.now().timestamp())

    def tick(self) -> None:
        """Let the world catch up with the clock (drivers joining and leaving)."""
        self.churn.catch_up(self.now_s())

    def uber_history(self, as_of: int | None = None) -> History:
        """Uber's view of the activity as of now (or of ``as_of``, unix seconds)."""
        now = self.now_s() if as_of is None else as_of
        return History(self.plans, "uber", now, self.settings.uber_history_days)

    def bolt_history(self) -> History:
        """Bolt's view of the activity as of now."""
        return History(self.plans, "bolt", self.now_s(), self.settings.bolt_history_days)

    def remembered(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """``compute()``, or what it gave for the same ``key`` at this same moment.

        The moment is the clock's second and both rosters' versions: time moving on (trips
        closing, price reviews landing, churn) or a roster change makes a fresh answer. The
        value is shared between requests: read it, never change it. (On the system clock the
        second may turn while ``compute`` runs; no later request asks for the earlier second,
        so such an answer is never served again.)
        """
        moment = (self.now_s(), self.uber_world.version, self.bolt_world.version)
        return self.answers.get((*key, moment), compute)

    def drop_caches(self) -> None:
        """Forget every day plan and kept answer (benchmarks start each phase cold)."""
        self.plans.clear()
        self.answers.clear()


def build_state(settings: SimulatorSettings, clock: Clock) -> SimState:
    """Build the world and token stores described by ``settings``."""
    share = settings.both_platforms_share
    uber_world = UberWorld(settings.seed, settings.uber_drivers, settings.uber_orgs, share)
    bolt_world = BoltWorld(settings.seed, settings.bolt_drivers, settings.bolt_companies, share)
    start_s = int(clock.now().timestamp())
    return SimState(
        settings=settings,
        clock=clock,
        uber_world=uber_world,
        uber_tokens=TokenStore(clock, settings.uber_token_ttl_s, settings.uber_token_max_live),
        bolt_world=bolt_world,
        bolt_tokens=TokenStore(
            clock,
            settings.bolt_token_ttl_s,
            max_live=1000,
            make_token=jwt_shaped("https://oidc.bolt.eu", settings.bolt_client_id),
        ),
        uber_mints=Quota(clock, settings.uber_token_mint_per_hour, timedelta(hours=1)),
        report_links=Quota(clock, settings.uber_report_links_per_10min, timedelta(minutes=10)),
        reports=ReportStore(
            settings.seed,
            clock,
            settings.uber_report_delay_s,
            settings.uber_report_fail_percent,
            settings.uber_reports_max_in_progress,
        ),
        churn=Churn(settings.seed, settings.churn_per_hour, start_s, [uber_world, bolt_world]),
        plans=DayPlans(settings.seed, plans_capacity(settings)),
    )


def plans_capacity(settings: SimulatorSettings) -> int:
    """Room for every person's every day served (see ``DayPlans``), within ``PLANS_KEPT``.

    The people are both rosters less the pairs (one person on both; ``platforms`` shares a
    slot with probability ``2s / (1 + s)``); a window's day before counts too (Bolt's price
    reviews of late trips), hence ``+ 2``. Churn replaces people rather than adding to
    them, so the live rosters stay near this.
    The ceiling (about 500 MB, 2,700 people over 35 days) bounds the memory of a huge
    world; past it a query still computes each plan only once, as its answer is kept.
    """
    pairs = min(settings.uber_drivers, settings.bolt_drivers) * slot_share(
        settings.both_platforms_share
    )
    people = settings.uber_drivers + settings.bolt_drivers - int(pairs)
    days = max(settings.uber_history_days, settings.bolt_history_days) + 2
    fewest, most = PLANS_KEPT
    return min(max(fewest, people * days), most)
