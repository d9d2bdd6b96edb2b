"""The contract catalog: which record Struct each (event type, version) decodes into.

Every versioned contract registers here, once, from the module that defines it::

    from contracts.catalog import register

    register(DRIVER_OBSERVED, 1, UberDriver)

The JSON Schema generator (``python -m contracts.schemas``) and the upcaster registry read
the catalog; :func:`discover` imports every module of the ``contracts`` package first, so a
contract is found as soon as its module registers it (no list to keep in sync here).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import msgspec


class CatalogError(Exception):
    """A contract registered twice with different Structs, or an invalid registration."""


@dataclass(frozen=True)
class Contract:
    """One version of one event type."""

    event_type: str
    version: int
    record: type[msgspec.Struct]

    @property
    def key(self) -> str:
        """The stable name of this contract, e.g. ``uber.driver.observed.v1``."""
        return f"{self.event_type}.v{self.version}"


_SKIPPED_MODULES = frozenset({"catalog", "schemas"})


class Catalog:
    """(event type, version) → Contract. The process-wide one is :data:`CATALOG`."""

    def __init__(self) -> None:
        self._contracts: dict[tuple[str, int], Contract] = {}

    def register(self, event_type: str, version: int, record: type[msgspec.Struct]) -> None:
        """Register ``record`` as version ``version`` of ``event_type``.

        Registering the same Struct again is a no-op (modules may be re-imported); another
        Struct under a taken (event type, version) is an error: that is a new version.
        """
        if version < 1:
            raise CatalogError(f"{event_type}: versions start at 1, got {version}")
        known = self._contracts.get((event_type, version))
        if known is not None and known.record is not record:
            raise CatalogError(
                f"{event_type} v{version} is already {known.record.__qualname__}: "
                f"register {record.__qualname__} as v{version + 1} with an upcaster"
            )
        self._contracts[(event_type, version)] = Contract(event_type, version, record)

    def contracts(self) -> list[Contract]:
        """Every contract, sorted by event type then version."""
        return [self._contracts[key] for key in sorted(self._contracts)]

    def current_version(self, event_type: str) -> int | None:
        """The newest version of ``event_type`` (None: not in the catalog)."""
        known = [v for (t, v) in self._contracts if t == event_type]
        return max(known) if known else None

    def lookup(self, event_type: str, version: int) -> Contract | None:
        """The contract of ``event_type`` at ``version``, if registered."""
        return self._contracts.get((event_type, version))


CATALOG = Catalog()
_discovered: list[bool] = []  # set once discover() ran: lookups stay cheap on the hot path


def register(event_type: str, version: int, record: type[msgspec.Struct]) -> None:
    """Register a contract in the process-wide catalog (call it from the defining module)."""
    CATALOG.register(event_type, version, record)


def _register_foundation() -> None:
    """The contracts that predate the catalog (they may move into contracts/uber.py)."""
    from contracts import uber

    register(uber.DRIVER_OBSERVED, uber.DRIVER_OBSERVED_VERSION, uber.UberDriver)
    register(uber.ORGANIZATION_OBSERVED, uber.ORGANIZATION_OBSERVED_VERSION, uber.UberOrganization)


def discover() -> Catalog:
    """Import every module of the ``contracts`` package so that its registrations run."""
    import contracts

    for module in pkgutil.iter_modules(contracts.__path__):
        if module.name.startswith("_") or module.name in _SKIPPED_MODULES:
            continue
        importlib.import_module(f"contracts.{module.name}")
    _register_foundation()
    _discovered.append(True)
    return CATALOG


def default_catalog() -> Catalog:
    """The process-wide catalog, discovered on first use."""
    return CATALOG if _discovered else discover()


def all_contracts() -> list[Contract]:
    """Every registered contract (after discovery), sorted by event type then version."""
    return discover().contracts()


def current_version(event_type: str) -> int | None:
    """The newest registered version of ``event_type`` (None: not in the catalog)."""
    return default_catalog().current_version(event_type)
