"""docker-compose.yml, with the Traefik override and the demo profile, is a valid stack.

With ``docker compose`` (v2) or ``docker-compose`` (v1) installed, ``config -q`` checks the
files against the compose schema, with .env.example standing in for .env. No Docker engine is
needed for that; `.ci/run` installs docker-compose, so CI fails rather than skips without it.
With PyYAML importable, the structure is checked as well.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE = "docker-compose.yml"
TRAEFIK = "deploy/traefik/docker-compose.traefik.yml"
FLEET_PROCESSES = ("ingest", "relay", "projector", "api")


def compose_command() -> list[str] | None:
    """``docker compose`` when the plugin answers, else ``docker-compose``, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0 and b"unknown command" not in probe.stderr:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository seen through symlinks, with .env.example copied in as .env."""
    folder = tmp_path_factory.mktemp("compose")
    for entry in ROOT.iterdir():
        if entry.name != ".env":
            (folder / entry.name).symlink_to(entry)
    shutil.copy(ROOT / ".env.example", folder / ".env")
    yield folder


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["-f", BASE], id="base"),
        pytest.param(["-f", BASE, "--profile", "demo"], id="demo"),
        pytest.param(["-f", BASE, "-f", TRAEFIK], id="traefik"),
        pytest.param(["-f", BASE, "-f", TRAEFIK, "--profile", "demo"], id="traefik-demo"),
    ],
)
def test_compose_config_is_valid(project: Path, args: list[str]) -> None:
    command = compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is not installed: .ci/run installs it with apt-get")
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    # Only what compose needs: a variable of the caller's shell would win over .env.
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "DOCKER_CONFIG")}
    result = subprocess.run(
        [*command, *args, "config", "-q"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _load(path: str) -> dict[str, Any]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    data = yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_file_structure() -> None:
    stack = _load(BASE)
    services = stack["services"]
    assert "name" not in stack, "docker-compose v1 refuses a top-level name: use .env"
    assert {"postgres", "nats", "migrate", *FLEET_PROCESSES, "frontend"} <= set(services)
    for name in FLEET_PROCESSES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert services["simulator"]["profiles"] == ["demo"]
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith("."):
                assert source in stack["volumes"], source
        for network in service.get("networks", []):
            assert network in stack["networks"], network


def test_traefik_override_structure() -> None:
    override = _load(TRAEFIK)
    services = override["services"]
    args = " ".join(services["traefik"]["command"])
    assert services["traefik"]["image"].startswith("traefik:v3")
    assert "redirections.entrypoint.to=websecure" in args
    assert "acme.httpchallenge.entrypoint=web" in args
    assert "${ACME_EMAIL" in args
    for routed, domain in (("frontend", "FLEET_APP_DOMAIN"), ("api", "FLEET_API_DOMAIN")):
        labels = " ".join(services[routed]["labels"])
        assert f"Host(`${{{domain}" in labels and "certresolver=letsencrypt" in labels
        assert "edge" in services[routed]["networks"]
