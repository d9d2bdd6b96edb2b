"""Debian's monitoring binaries, which `.ci/run` installs: required in CI, optional elsewhere."""

from __future__ import annotations

import os
import shutil

import pytest


def require(binary: str) -> str:
    """The binary's path; a CI run without it fails, a developer's machine skips the test."""
    path = shutil.which(binary)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{binary} is not installed: .ci/run installs it with apt-get")
        pytest.skip(f"{binary} not on PATH (apt-get install prometheus)")
    return path
