"""CI runs every check: `.ci/run` calls `make test`, which runs lint and type checks first."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_target(name: str) -> tuple[list[str], list[str]]:
    """A Makefile target's prerequisites and recipe lines."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{name}:([^\n#]*)(?:#[^\n]*)?\n((?:\t[^\n]*\n)*)", text, re.MULTILINE)
    assert match, f"no target {name!r} in the Makefile"
    return match.group(1).split(), [line.strip() for line in match.group(2).splitlines()]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", script, re.MULTILINE)
    assert "make test" in (ROOT / "README.md").read_text()


def test_make_test_runs_lint_before_the_tests() -> None:
    prerequisites, _ = make_target("test")
    assert prerequisites[0] == "lint"
    assert {"test-frontend", "test-e2e", "test-python"} <= set(prerequisites)


def test_lint_runs_ruff_formatting_mypy_and_the_frontend_type_check() -> None:
    _, recipe = make_target("lint")
    joined = "\n".join(recipe)
    for check in ("ruff check .", "ruff format --check .", "mypy", "npm run typecheck", "--list"):
        assert check in joined, f"make lint does not run {check!r}"
