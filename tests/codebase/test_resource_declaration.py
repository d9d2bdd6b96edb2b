"""The resource declaration (contracts/resources.py) matches the code it stands for.

Each declared resource has its poller, produces registered event types, and names
projections that exist and read those types; nothing polls or projects undeclared.
"""

from __future__ import annotations

import inspect

import pytest

from contracts import people, settlement_decisions
from contracts.catalog import default_catalog
from contracts.resources import DECLARED, Declaration, ResourceDeclaration
from ingest.bolt.pollers import BoltPollers
from ingest.uber.pollers import UberPollers
from projector.projections import all_projections

POLLERS: dict[str, type] = {"uber": UberPollers, "bolt": BoltPollers}


def poller_methods(cls: type) -> set[str]:
    """The public coroutine methods of a pollers class: one per resource it can poll."""
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("provider", sorted(POLLERS))
def test_every_declared_resource_has_a_poller_and_every_poller_is_declared(
    provider: str,
) -> None:
    assert poller_methods(POLLERS[provider]) == set(DECLARED.names(provider))


def test_every_declared_event_type_is_registered_in_the_contracts() -> None:
    catalog = default_catalog()
    produced = {t for resource in DECLARED for t in resource.event_types}
    assert {t for t in produced if catalog.current_version(t) is None} == set()


def test_declared_projections_exist_and_read_the_events_of_their_resource() -> None:
    projections = {p.name: p.event_types for p in all_projections()}
    wrong = [
        (resource.provider, resource.name, name)
        for resource in DECLARED
        for name in resource.projections
        if not projections.get(name, frozenset()) & set(resource.event_types)
    ]
    assert wrong == []


def test_every_projection_reads_events_a_declared_resource_produces() -> None:
    produced = {t for resource in DECLARED for t in resource.event_types}
    # Managers' decisions are produced too, by the API's decision path (docs/SETTLEMENTS.md).
    produced |= set(people.DECISIONS) | set(settlement_decisions.DECISIONS)
    orphans = [p.name for p in all_projections() if not p.event_types & produced]
    assert orphans == []


def test_a_declaration_refuses_a_name_or_alias_taken_twice_by_one_provider() -> None:
    orders = ResourceDeclaration("bolt", "orders", 60, ("bolt.order.observed",))
    trips = ResourceDeclaration("bolt", "rides", 60, ("bolt.order.observed",), spec_alias="orders")
    with pytest.raises(ValueError, match="declares 'orders' twice"):
        Declaration((orders, trips))
