"""Deterministic identifier and vehicle-attribute generators.

All helpers take the caller's ``random.Random``; none touches global state.
"""

from __future__ import annotations

import base64
import random
import string
import uuid


def uuid4_from(rng: random.Random) -> str:
    """A version-4-shaped UUID string drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def opaque_id(rng: random.Random, n_bytes: int) -> str:
    """A base64url string of ``n_bytes`` random bytes, padding kept.

    97 bytes give the ~132-char ``==``-terminated form of Uber's encrypted org
    ids; 22 bytes give the 32-char form of ``driverIdEncrypted``.
    """
    return base64.urlsafe_b64encode(rng.randbytes(n_bytes)).decode("ascii")


def encrypted_org_id(rng: random.Random) -> str:
    """An Uber encrypted organisation id (132 chars, ends with ``==``)."""
    return opaque_id(rng, 97)


def encrypted_entity_id(rng: random.Random) -> str:
    """An Uber encrypted driver or vehicle id (32 chars, ends with ``==``)."""
    return opaque_id(rng, 22)


def french_plate(rng: random.Random) -> str:
    """A French SIV licence plate such as ``GH-123-KL``."""
    head = _plate_letters(rng)
    number = rng.randrange(1, 1000)
    return f"{head}-{number:03d}-{_plate_letters(rng)}"


def _plate_letters(rng: random.Random) -> str:
    """Two plate letters (SIV plates exclude I, O and U)."""
    letters = "ABCDEFGHJKLMNPQRSTVWXYZ"
    return rng.choice(letters) + rng.choice(letters)


def vin(rng: random.Random) -> str:
    """A 17-character VIN-shaped string (no I, O or Q)."""
    alphabet = "".join(c for c in string.ascii_uppercase + string.digits if c not in "IOQ")
    return "".join(rng.choice(alphabet) for _ in range(17))


VEHICLE_MODELS = (
    ("Toyota", "Corolla"), ("Toyota", "C-HR"), ("Toyota", "Camry"), ("Tesla", "Model 3"),
    ("Peugeot", "508"), ("Skoda", "Octavia"), ("Kia", "Niro"), ("Hyundai", "Ioniq"),
    ("Mercedes-Benz", "Classe E"), ("Volkswagen", "Passat"),
)  # fmt: skip

COLORS = ("black", "white", "grey", "silver", "blue")
