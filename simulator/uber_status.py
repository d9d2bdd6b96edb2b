"""Realtime driver status (U3) derived from the activity at the clock's "now".

``statusEntries`` holds the current status only. A driver who has not been
online during the tracking window (the last hour) gets ``null``, as about half
of a live sample did.
"""

from __future__ import annotations

from typing import Any

from simulator.activity import DayPlans, Trip, utc_day
from simulator.uber_timefmt import iso_utc

TRACKING_WINDOW_S = 3600


def status_entries(plans: DayPlans, person: int, now: int) -> list[dict[str, Any]] | None:
    """The ``statusEntries`` of ``person`` at ``now`` (``None`` when not tracked)."""
    plan = plans(person, utc_day(now))
    for session in plan.sessions:
        if session.start <= now < session.end:
            return [_online_entry(plan.trips, session.start, now)]
        if session.end <= now < session.end + TRACKING_WINDOW_S:
            return [{"status": "DRIVER_STATUS_OFFLINE", "timestamp": iso_utc(session.end)}]
    return None


def _online_entry(trips: tuple[Trip, ...], session_start: int, now: int) -> dict[str, Any]:
    """ONTRIP while an Uber order is under way, ONLINE otherwise."""
    since = session_start
    for trip in trips:
        if trip.provider != "uber" or trip.accepted_at is None or trip.accepted_at > now:
            continue
        end = trip.dropoff_at or trip.closed_at
        if now < end:
            return {"status": "DRIVER_STATUS_ONTRIP", "timestamp": iso_utc(trip.accepted_at)}
        since = max(since, end)
    return {"status": "DRIVER_STATUS_ONLINE", "timestamp": iso_utc(since)}
