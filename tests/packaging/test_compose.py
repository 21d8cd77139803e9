"""docker-compose.yml and the Dockerfile keep the README's promises (there is no Docker
engine here: these read the files, as `docker compose config` would)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def readme_section(title: str) -> str:
    start = README.index(f"### {title}\n")
    end = README.find("\n#", start + 1)
    return README[start:end]


def promised_services() -> dict[str, dict]:
    """The README's table of services: name -> {ports, health}."""
    rows = {}
    for line in readme_section("Docker Compose").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = {"ports": re.findall(r"`(\d+)`", cells[2]), "health": cells[3]}
    return rows


def test_every_promised_service_is_there_with_its_ports_and_health_check():
    services = compose()["services"]
    promised = promised_services()
    assert {"api", "worker", "migrate", "postgres", "redis", "minio"} <= set(promised)
    assert set(services) == set(promised), "the README's table and docker-compose.yml list different services"
    for name, promise in promised.items():
        published = {str(p).split(":")[0] for p in services[name].get("ports", [])}
        assert published == set(promise["ports"]), f"{name}: ports {published}, README says {promise['ports']}"
        assert ("healthcheck" in services[name]) == bool(promise["health"]), f"{name}: health check"


def test_api_and_workers_get_every_promised_variable_and_wait_for_their_dependencies():
    services = compose()["services"]
    promised = set(re.findall(r"`((?:FUSIONFLOW|FAL|GEMINI)_[A-Z_]+)`", readme_section("Docker Compose")))
    assert "FUSIONFLOW_DATABASE_URL" in promised and "FAL_KEY" in promised
    for name in ("api", "worker", "migrate"):
        environment = services[name]["environment"]
        assert promised <= set(environment), f"{name} lacks {promised - set(environment)}"
        assert environment["FUSIONFLOW_DATABASE_URL"].startswith("postgresql+psycopg://")
    for name in ("api", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert all(depends[s]["condition"] == "service_healthy" for s in ("redis", "minio"))
    assert "fusionflow serve" in " ".join(services["api"]["command"])
    assert services["worker"]["command"][:2] == ["fusionflow", "worker"]


def test_the_image_installs_a_wheel_that_carries_the_canvas_and_examples():
    """The Dockerfile builds web/dist, copies it and graphs/ in before building the wheel
    (setup.py bakes both into the package), and the final stage installs only that wheel."""
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.M)[1:]
    wheel_stage = next(s for s in stages if "pip wheel" in s)
    lines = wheel_stage.splitlines()
    build = next(i for i, line in enumerate(lines) if "pip wheel" in line)
    copies = " ".join(lines[:build])
    assert "COPY --from=web /src/web/dist/ web/dist/" in copies
    assert "COPY graphs/ graphs/" in copies and "setup.py" in copies
    final = stages[-1]
    assert "pip install" in final and ".whl" in final
    assert "COPY orchestrator" not in final, "the final image should run the installed wheel, not a source copy"
    assert 'CMD ["fusionflow", "serve"' in final
