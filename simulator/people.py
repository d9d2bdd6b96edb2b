"""The people who drive for the fleet, shared by both providers.

Person ``i`` is drawn from its own ``random.Random`` keyed by the seed and
``i``, so it does not depend on how many people exist. Which people drive on
which platform, and how each platform writes them down, is ``platforms``' job.

No two people share a phone number or an e-mail address: a matcher that links
drivers on either must never be led to link two different people by chance.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from simulator.ids import COLORS, VEHICLE_MODELS, french_plate, vin

FIRST_NAMES = (
    "Adrien", "Amine", "Antoine", "Aurélie", "Bilal", "Camille", "Céline", "Clément",
    "Damien", "Élodie", "Farid", "François", "Hélène", "Hugo", "Inès", "Jérôme",
    "Julien", "Karim", "Laurent", "Léa", "Lucas", "Mathieu", "Mehdi", "Moussa",
    "Nadia", "Nicolas", "Océane", "Olivier", "Rachid", "Sébastien", "Sofiane", "Sophie",
    "Thomas", "Valérie", "Yacine", "Yann",
)  # fmt: skip

LAST_NAMES = (
    "Bernard", "Bonnet", "Boucher", "Chevalier", "Diallo", "Dubois", "Dupont", "Durand",
    "Fontaine", "Fournier", "Garnier", "Girard", "Haddad", "Lambert", "Laurent", "Lefebvre",
    "Lefèvre", "Leroy", "Martin", "Mercier", "Moreau", "Morel", "Nguyen", "Petit",
    "Renaud", "Richard", "Robert", "Rousseau", "Roux", "Simon", "Traoré", "Vincent",
)  # fmt: skip


# Odd and not a multiple of 5, so coprime with 10**8: index -> number is one-to-one.
PHONE_STEP = 61_803_399
PHONE_SPACE = 10**8


@dataclass(frozen=True)
class Person:
    """A driver's identity as a human, before any platform writes it down."""

    index: int
    first_name: str
    last_name: str
    email: str
    phone_national: str  # "6xxxxxxxx", the French mobile number without +33 or leading 0


def person(seed: int, index: int) -> Person:
    """Return person number ``index`` of the pool for ``seed``."""
    rng = random.Random(f"{seed}:person:{index}")
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    return Person(index, first, last, email_of(first, last, index), first_number(seed, index))


def email_of(first: str, last: str, index: int) -> str:
    """Person ``index``'s own address; the index makes it theirs alone."""
    return f"{ascii_slug(first)}.{ascii_slug(last)}{index}@example.test"


def first_number(seed: int, index: int) -> str:
    """Person ``index``'s mobile number in national form without the leading 0 (``612345678``).

    Not drawn at random: 2,600 people drawing 8 digits share a number once in thirty worlds,
    and a matcher linking on phone would then rightly link two different people. Stepping
    through the 10**8 numbers by a step coprime with 10**8 gives each index its own.
    """
    return f"6{(index * PHONE_STEP + phone_offset(seed)) % PHONE_SPACE:08d}"


@lru_cache(maxsize=16)
def phone_offset(seed: int) -> int:
    """Where the seed's people start in the 10**8 numbers (one per seed, kept)."""
    return random.Random(f"{seed}:phones").randrange(PHONE_SPACE)


def changed_number(rng: random.Random) -> str:
    """The number someone moved to: a ``7`` mobile, so never another person's first number."""
    return "7" + "".join(str(rng.randrange(10)) for _ in range(8))


def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name, for e-mail addresses (``Élodie`` -> ``elodie``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def without_accents(text: str) -> str:
    """``text`` with its accents dropped, case kept (``Hélène`` -> ``Helene``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(text: str) -> str:
    """Accent- and case-folded form of a name, the way a matcher compares names."""
    return without_accents(text).casefold().strip()


@dataclass(frozen=True)
class Car:
    """The car a person drives, whichever app they are online on (same plate everywhere)."""

    make: str
    model: str
    year: int
    license_plate: str
    vin: str
    color: str


def car_of(seed: int, index: int) -> Car:
    """The car of person number ``index``."""
    rng = random.Random(f"{seed}:car:{index}")
    make, model = rng.choice(VEHICLE_MODELS)
    year = rng.randrange(2018, 2025)
    return Car(make, model, year, french_plate(rng), vin(rng), rng.choice(COLORS))
