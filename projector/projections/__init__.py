"""Every projection the projector runs, by name."""

from __future__ import annotations

from projector.projection import Projection
from projector.projections.drivers import DriversProjection


def all_projections() -> list[Projection]:
    return [DriversProjection()]
