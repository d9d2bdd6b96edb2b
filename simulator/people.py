"""The people who drive for the fleet, shared by both providers.

Person ``i`` is drawn from its own ``random.Random`` keyed by the seed and
``i``, so it does not depend on how many people exist. Uber and Bolt both take
their drivers from this pool (index 0 upwards), which is what lets the platform
match one driver across providers by phone or e-mail.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Person:
    """A driver's identity as a human: the same on every provider at first."""

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
    email = f"{ascii_slug(first)}.{ascii_slug(last)}{index}@example.test"
    return Person(index, first, last, email, mobile_number(rng))


def mobile_number(rng: random.Random) -> str:
    """A French mobile number in national form without the leading 0, e.g. ``612345678``."""
    return "6" + "".join(str(rng.randrange(10)) for _ in range(8))


def ascii_slug(text: str) -> str:
    """Lower-case ASCII form of a name, for e-mail addresses (``Élodie`` -> ``elodie``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


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
