"""People: one person (chauffeur) across Uber and Bolt accounts, matched and decided.

``keys`` normalises what providers say about a driver into matching keys; ``rules`` decides,
from those keys alone, whether two platform drivers are linked automatically or only
suggested; ``fold`` applies observations and managers' decisions to the people tables, in
log order, so that a replay gives the same people (docs/PEOPLE.md).
"""
