"""The simulator's mutable state, built once per app by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from simulator.activity import History
from simulator.bolt_world import BoltWorld
from simulator.chaos import Chaos
from simulator.churn import Churn
from simulator.clock import Clock
from simulator.ratelimit import Buckets, Quota
from simulator.reports import ReportStore
from simulator.settings import SimulatorSettings
from simulator.stats import CallStats
from simulator.tokens import TokenStore, jwt_shaped
from simulator.world import UberWorld


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
    buckets: Buckets = field(default_factory=Buckets)
    chaos: Chaos = field(default_factory=Chaos)
    stats: CallStats = field(default_factory=CallStats)

    def now_s(self) -> int:
        """The injected clock's time as unix seconds."""
        return int(self.clock.now().timestamp())

    def tick(self) -> None:
        """Let the world catch up with the clock (drivers joining and leaving)."""
        self.churn.catch_up(self.now_s())

    def uber_history(self) -> History:
        """Uber's view of the activity as of now."""
        return History(self.settings.seed, "uber", self.now_s(), self.settings.uber_history_days)

    def bolt_history(self) -> History:
        """Bolt's view of the activity as of now."""
        return History(self.settings.seed, "bolt", self.now_s(), self.settings.bolt_history_days)


def build_state(settings: SimulatorSettings, clock: Clock) -> SimState:
    """Build the world and token stores described by ``settings``."""
    uber_world = UberWorld(settings.seed, settings.uber_drivers, settings.uber_orgs)
    bolt_world = BoltWorld(settings.seed, settings.bolt_drivers, settings.bolt_companies)
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
    )
