"""How two platform drivers' keys compare: an automatic link, a suggestion, or nothing.

The rules, strongest first (docs/PEOPLE.md explains the scores):

=========================  =====  ==========================================
keys that agree            score  outcome
=========================  =====  ==========================================
phone                       100   automatic link ("même téléphone")
e-mail                      100   automatic link ("même e-mail")
name and plate               80   suggestion ("même nom et même plaque")
name only                    50   suggestion ("même nom")
=========================  =====  ==========================================

Phone and e-mail reasons add up when both agree (still 100). A name never links on its own:
homonyms exist, and a wrong automatic link would mix two people's pay.
"""

from __future__ import annotations

from dataclasses import dataclass

from projector.people.keys import DriverKeys

SAME_PHONE = "même téléphone"
SAME_EMAIL = "même e-mail"
SAME_NAME_AND_PLATE = "même nom et même plaque"
SAME_NAME = "même nom"

AUTOMATIC_SCORE = 100
NAME_AND_PLATE_SCORE = 80
NAME_SCORE = 50


@dataclass(frozen=True)
class Match:
    """Why two drivers look like one person, how strongly, and whether that is enough."""

    reasons: tuple[str, ...]
    score: int
    automatic: bool


def compare(a: DriverKeys, b: DriverKeys) -> Match | None:
    """What ``a`` and ``b``'s keys say about them being one person (None: nothing)."""
    strong = _strong_reasons(a, b)
    if strong:
        return Match(strong, AUTOMATIC_SCORE, automatic=True)
    if a.name is None or a.name != b.name:
        return None
    if a.plate is not None and a.plate == b.plate:
        return Match((SAME_NAME_AND_PLATE,), NAME_AND_PLATE_SCORE, automatic=False)
    return Match((SAME_NAME,), NAME_SCORE, automatic=False)


def _strong_reasons(a: DriverKeys, b: DriverKeys) -> tuple[str, ...]:
    reasons = []
    if a.phone is not None and a.phone == b.phone:
        reasons.append(SAME_PHONE)
    if a.email is not None and a.email == b.email:
        reasons.append(SAME_EMAIL)
    return tuple(reasons)


def as_suggestion(match: Match) -> Match:
    """``match`` downgraded to a suggestion (a driver already someone's never moves alone)."""
    return Match(match.reasons, match.score, automatic=False)
