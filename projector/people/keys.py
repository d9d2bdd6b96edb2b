"""Matching keys: what providers write about a driver, normalised so that equal means same.

Pure functions, no I/O. Each answers None when there is nothing trustworthy to match on (an
empty name, a phone that is not a valid number): no key never matches anything, where a
garbage key could match another garbage key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "FR"  # our drivers write French numbers without a country code ("06…")

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_PLATE_NOISE = re.compile(r"[^0-9A-Z]+")


def phone_key(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a phone number (``+33612345678``), None when it cannot be one.

    libphonenumber reads every written form we meet — ``06 12 34 56 78``, ``+33 6…``,
    ``0033 6…``, dots, dashes — where a regular expression would miss a form. We ask only
    whether the number is *possible* (its length fits its country), not *valid* (allocated
    to an operator today): allocation tables change with each library release, and a key
    that changed with an upgrade would silently undo links on the next replay.
    """
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email_key(raw: str | None) -> str | None:
    """The e-mail trimmed and lower-cased; None unless it looks like ``local@domain``."""
    if not raw:
        return None
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    return email if at and local and domain and " " not in email else None


def fold_text(raw: str) -> str:
    """Accents and case folded, anything but letters and digits one space: ``Zoé-Lou`` →
    ``zoe lou``."""
    decomposed = unicodedata.normalize("NFKD", raw.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_ALNUM.sub(" ", bare).strip()


def name_key(first: str | None, last: str | None) -> str | None:
    """The folded words of both names, sorted: ``DUPONT Laurent`` = ``laurent dupont``.

    Sorted because providers disagree on which name is first (and managers type both orders);
    None when there are fewer than two words, as a lone first name matches too many people.
    """
    words = sorted(fold_text(f"{first or ''} {last or ''}").split())
    return " ".join(words) if len(words) >= 2 else None


def plate_key(raw: str | None) -> str | None:
    """A French plate without its separators, upper case: ``ab-123-cd`` → ``AB123CD``."""
    if not raw:
        return None
    plate = _PLATE_NOISE.sub("", fold_text(raw).upper())
    return plate or None


@dataclass(frozen=True)
class DriverKeys:
    """The matching keys of one platform driver (any of them may be None)."""

    phone: str | None
    email: str | None
    name: str | None
    plate: str | None


# A replay reads each driver's fields again at every observation (a state, a vehicle):
# libphonenumber's parse was 40 % of the people unit's CPU in bench/bench_people.py. The
# keys are a function of the fields alone; a fleet has a few thousand drivers.
@lru_cache(maxsize=65_536)
def driver_keys(
    *,
    first_name: str | None,
    last_name: str | None,
    email: str | None,
    phone: str | None,
    plate: str | None,
) -> DriverKeys:
    """Every matching key of a driver, from what the provider wrote."""
    return DriverKeys(
        phone=phone_key(phone),
        email=email_key(email),
        name=name_key(first_name, last_name),
        plate=plate_key(plate),
    )
