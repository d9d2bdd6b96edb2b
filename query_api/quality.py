"""Judging coverage: the answers of ``/quality/coverage`` and ``/quality/weeks``, from rows.

Pure functions of the coverage read (``eventlog.coverage``), the week rules and "now", so the
reasons a week is incomplete can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from contracts.weeks import PARIS, WEEK_RESOURCES, WINDOWED, WeekRules, week_rules_of
from core.config import ConfigError
from eventlog.coverage import Coverage, Span
from query_api.reconcile import DEFAULT_MINIMUM_RULES, MinimumRule, parse_minimum_rules
from query_api.schemas_quality import (
    PlatformWeek,
    ResourceCoverage,
    TimeSpan,
    WeekResource,
)


def week_rules(env: Mapping[str, str]) -> WeekRules:
    """The one week setting (``FLEET_WEEK_STARTS``, rows with effective dates) and the
    settling delay; a bad one stops us."""
    try:
        return week_rules_of(env)
    except ValueError as exc:
        raise ConfigError(f"week settings: {exc}") from exc


def minimum_fare_rules(env: Mapping[str, str]) -> tuple[MinimumRule, ...]:
    """``FLEET_MINIMUM_FARE_RULES`` or our default; a malformed one stops us."""
    try:
        return parse_minimum_rules(env.get("FLEET_MINIMUM_FARE_RULES") or DEFAULT_MINIMUM_RULES)
    except ValueError as exc:
        raise ConfigError(f"FLEET_MINIMUM_FARE_RULES: {exc}") from exc


def resource_coverage(found: Coverage, now: datetime) -> ResourceCoverage:
    """One resource's coverage as the API answers it: a listing shows no spans, only counts."""
    windowed = found.resource in WINDOWED.get(found.provider, ())
    age = None if found.newest is None else max(int((now - found.newest).total_seconds()), 0)
    return ResourceCoverage(
        provider=found.provider,
        account_id=found.account_id,
        resource=found.resource,
        kind="window" if windowed else "listing",
        covered=_spans(found.covered) if windowed else [],
        gaps=_spans(found.gaps) if windowed else [],
        claims=found.claims,
        newest=found.newest,
        newest_age_s=age,
    )


def platform_week(
    provider: str, bounds: Span, settling: timedelta, found: list[Coverage], now: datetime
) -> PlatformWeek:
    """A platform's week ``bounds``: complete when its resources cover it whole (``found``
    is their coverage over the week, up to now) and it has settled."""
    start, end = bounds
    settled_at = end + settling
    mine = [c for c in found if c.provider == provider and c.resource in WEEK_RESOURCES[provider]]
    resources = _week_resources(provider, mine, (start, min(end, now)))
    reasons = _timing_reasons(start, end, settled_at, now)
    if not mine:
        reasons.append(f"aucune donnée {provider} collectée")
    reasons += [_gap_reason(r) for r in resources if r.gaps]
    return PlatformWeek(
        provider=provider,
        start=start,
        end=end,
        settled_at=settled_at,
        status="incomplet" if reasons else "complet",
        reasons=reasons,
        resources=resources,
    )


def _week_resources(provider: str, mine: list[Coverage], period: Span) -> list[WeekResource]:
    """Every week resource of every account the platform ever covered; a resource one account
    never covered is one gap over the whole ``period``."""
    whole = [TimeSpan(*period)] if period[0] < period[1] else []
    by_key = {(c.resource, c.account_id): c for c in mine}
    return [
        WeekResource(resource, account, _spans(found.covered), _spans(found.gaps))
        if (found := by_key.get((resource, account)))
        else WeekResource(resource, account, [], whole)
        for resource in WEEK_RESOURCES[provider]
        for account in sorted({c.account_id for c in mine})
    ]


def _timing_reasons(
    start: datetime, end: datetime, settled_at: datetime, now: datetime
) -> list[str]:
    if now < start:
        return ["semaine à venir"]
    if now < end:
        return [f"semaine en cours (jusqu'au {_paris(end)})"]
    if now < settled_at:
        return [f"délai de consolidation : chiffres définitifs le {_paris(settled_at)}"]
    return []


def _gap_reason(resource: WeekResource) -> str:
    first = resource.gaps[0]
    more = f" (et {len(resource.gaps) - 1} autre(s))" if len(resource.gaps) > 1 else ""
    return (
        f"{resource.resource}, compte {resource.account_id} : non couvert du "
        f"{_paris(first.start)} au {_paris(first.end)}{more}"
    )


def _paris(at: datetime) -> str:
    return at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def _spans(spans: list[Span]) -> list[TimeSpan]:
    return [TimeSpan(start, end) for start, end in spans]
