"""Every registered contract has its committed JSON Schema, and none changed silently."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from contracts import catalog, schemas
from contracts.catalog import CatalogError, Contract
from contracts.uber import DRIVER_OBSERVED, ORGANIZATION_OBSERVED, UberDriver


def test_committed_schemas_match_the_contracts() -> None:
    problems = schemas.drift()
    assert not problems, (
        "contracts changed without a new version (or schemas not regenerated):\n"
        + "\n".join(problems)
        + "\nsee contracts/README.md; `python -m contracts.schemas --write` after a "
        "compatible change"
    )


def test_the_existing_uber_contracts_are_registered() -> None:
    keys = {c.key for c in catalog.all_contracts()}
    assert {f"{DRIVER_OBSERVED}.v1", f"{ORGANIZATION_OBSERVED}.v1"} <= keys
    assert catalog.current_version(DRIVER_OBSERVED) == 1


def test_a_changed_contract_is_reported_as_drift(tmp_path: Path) -> None:
    schemas.write(tmp_path)
    name = f"{DRIVER_OBSERVED}.v1.json"
    changed = msgspec.defstruct("UberDriver", [("driverId", int)], frozen=True)
    text = schemas.render(Contract(DRIVER_OBSERVED, 1, changed))
    (tmp_path / name).write_text(text)

    assert schemas.drift(tmp_path) == [f"{name}: contract changed since its schema was committed"]


def test_a_missing_or_orphan_schema_is_reported(tmp_path: Path) -> None:
    schemas.write(tmp_path)
    (tmp_path / f"{ORGANIZATION_OBSERVED}.v1.json").unlink()
    (tmp_path / "gone.event.v1.json").write_text("{}\n")

    assert schemas.drift(tmp_path) == [
        f"{ORGANIZATION_OBSERVED}.v1.json: contract has no committed schema",
        "gone.event.v1.json: committed schema has no contract",
    ]


def test_a_taken_version_cannot_be_registered_with_another_struct() -> None:
    catalog.register(DRIVER_OBSERVED, 1, UberDriver)  # the same again: harmless
    other = msgspec.defstruct("Other", [("x", int)], frozen=True)
    with pytest.raises(CatalogError, match="v2 with an upcaster"):
        catalog.register(DRIVER_OBSERVED, 1, other)


def test_every_later_version_has_an_upcaster_from_the_one_before() -> None:
    from contracts.upcasting import UPCASTERS

    for contract in catalog.all_contracts():
        if contract.version > 1:
            assert UPCASTERS.has_step(contract.event_type, contract.version - 1), contract.key


def test_the_schema_command_checks_and_writes(capsys: pytest.CaptureFixture[str]) -> None:
    from contracts.schemas.__main__ import main

    assert main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out
