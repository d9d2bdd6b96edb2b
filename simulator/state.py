"""The simulator's mutable state, built once per app by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.activity import History
from simulator.bolt_world import BoltWorld
from simulator.chaos import Chaos
from simulator.clock import Clock
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
    chaos: Chaos = field(default_factory=Chaos)
    stats: CallStats = field(default_factory=CallStats)

    def now_s(self) -> int:
        """The injected clock's time as unix seconds."""
        return int(self.clock.now().timestamp())

    def uber_history(self) -> History:
        """Uber's view of the activity as of now."""
        return History(self.settings.seed, "uber", self.now_s(), self.settings.uber_history_days)

    def bolt_history(self) -> History:
        """Bolt's view of the activity as of now."""
        return History(self.settings.seed, "bolt", self.now_s(), self.settings.bolt_history_days)


def build_state(settings: SimulatorSettings, clock: Clock) -> SimState:
    """Build the world and token stores described by ``settings``."""
    return SimState(
        settings=settings,
        clock=clock,
        uber_world=UberWorld(settings.seed, settings.uber_drivers, settings.uber_orgs),
        uber_tokens=TokenStore(clock, settings.uber_token_ttl_s, settings.uber_token_max_live),
        bolt_world=BoltWorld(settings.seed, settings.bolt_drivers, settings.bolt_companies),
        bolt_tokens=TokenStore(
            clock,
            settings.bolt_token_ttl_s,
            max_live=1000,
            make_token=jwt_shaped("https://oidc.bolt.eu", settings.bolt_client_id),
        ),
    )
