"""Pick-up and drop-off places around Paris (synthetic addresses, real coordinates)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """An address with its coordinates."""

    address: str
    lat: float
    lng: float


PLACES = (
    Place("Aéroport Paris-Charles de Gaulle, Terminal 2E, 95700 Roissy-en-France", 49.0040, 2.5710),
    Place("Aéroport de Paris-Orly, Orly 4, 94390 Orly", 48.7262, 2.3652),
    Place("Gare de Lyon, Place Louis-Armand, 75012 Paris", 48.8443, 2.3743),
    Place("Gare du Nord, 18 Rue de Dunkerque, 75010 Paris", 48.8809, 2.3553),
    Place("Gare Montparnasse, 17 Boulevard de Vaugirard, 75015 Paris", 48.8412, 2.3210),
    Place("Gare Saint-Lazare, 13 Rue d'Amsterdam, 75008 Paris", 48.8763, 2.3254),
    Place("10 Avenue des Champs-Élysées, 75008 Paris", 48.8675, 2.3136),
    Place("25 Rue de Rivoli, 75004 Paris", 48.8558, 2.3580),
    Place("1 Parvis de la Défense, 92800 Puteaux", 48.8924, 2.2360),
    Place("50 Rue de la Roquette, 75011 Paris", 48.8549, 2.3738),
    Place("8 Place de la Bastille, 75011 Paris", 48.8532, 2.3692),
    Place("14 Rue Oberkampf, 75011 Paris", 48.8640, 2.3700),
    Place("2 Place du Trocadéro, 75016 Paris", 48.8626, 2.2875),
    Place("30 Boulevard de Belleville, 75020 Paris", 48.8700, 2.3820),
    Place("5 Avenue de la Porte de Versailles, 75015 Paris", 48.8320, 2.2870),
    Place("Stade de France, 93200 Saint-Denis", 48.9245, 2.3602),
    Place("12 Rue Montorgueil, 75002 Paris", 48.8641, 2.3470),
    Place("40 Avenue Charles de Gaulle, 92200 Neuilly-sur-Seine", 48.8822, 2.2674),
)


def two_places(rng: random.Random) -> tuple[Place, Place]:
    """A distinct pick-up and drop-off."""
    pickup, dropoff = rng.sample(PLACES, 2)
    return pickup, dropoff
