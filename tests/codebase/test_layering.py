"""The top-level packages import each other only downwards, and never in a cycle.

The layering (README, "How it works"), bottom first::

    core                       settings and process plumbing; imports no other package
    contracts   simulator      no other package (the simulator shares no code with us, so it
                               cannot hide a mismatch between a provider and our contracts)
    eventlog                   contracts, core
    ingest      projector      contracts, core, eventlog (never each other)
    query_api                  contracts, core, eventlog, projector (its lag and names only)
    fleet                      the CLI and supervisor: anything

Every import counts, function-local ones included: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "contracts": frozenset(),
    "simulator": frozenset(),
    "eventlog": frozenset({"contracts", "core"}),
    "ingest": frozenset({"contracts", "core", "eventlog"}),
    "projector": frozenset({"contracts", "core", "eventlog"}),
    "query_api": frozenset({"contracts", "core", "eventlog", "projector"}),
    "fleet": frozenset(
        {"contracts", "core", "eventlog", "ingest", "projector", "query_api", "simulator"}
    ),
}


def imported_modules(source: str) -> Iterator[str]:
    """Every absolute module name a Python source imports, at any depth of its tree."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def import_graph(root: Path, packages: frozenset[str]) -> dict[str, dict[str, str]]:
    """package -> {imported package: the first file that imports it}, for our packages only."""
    graph: dict[str, dict[str, str]] = {name: {} for name in packages}
    for package in sorted(packages):
        for path in sorted((root / package).rglob("*.py")):
            for module in imported_modules(path.read_text()):
                top = module.split(".", 1)[0]
                if top in packages and top != package:
                    graph[package].setdefault(top, str(path.relative_to(root)))
    return graph


def find_cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph.get(node, {})):
            if cycle := visit(target, [*path, node]):
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return None


def test_every_top_level_package_is_placed_in_the_layering() -> None:
    found = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench"}
    }
    assert found == set(ALLOWED), "add the new package to ALLOWED and the README's layering"


def test_packages_import_only_the_layers_below_them() -> None:
    graph = import_graph(ROOT, frozenset(ALLOWED))
    against = [
        f"{package} imports {target} ({where})"
        for package, targets in graph.items()
        for target, where in targets.items()
        if target not in ALLOWED[package]
    ]
    assert not against, "imports against the layering:\n" + "\n".join(against)


def test_the_packages_import_graph_has_no_cycle() -> None:
    assert find_cycle(import_graph(ROOT, frozenset(ALLOWED))) is None


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a": "import b.x\n", "b": "def f():\n    from a import y\n"}, ["a", "b", "a"]),
        ({"a": "from b import x\n", "b": "import os\n"}, None),
    ],
)
def test_the_checks_see_function_local_imports_and_report_a_cycle(
    tmp_path: Path, files: dict[str, str], expected: list[str] | None
) -> None:
    for name, source in files.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(source)
    assert find_cycle(import_graph(tmp_path, frozenset(files))) == expected


def test_a_layer_importing_upwards_is_reported(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "config.py").write_text("from fleet.cli import main\n")
    graph = import_graph(tmp_path, frozenset({"core", "fleet"}))
    assert graph["core"] == {"fleet": "core/config.py"}
    assert "fleet" not in ALLOWED["core"]
