"""``fusionflow run``: embedded and against a server, progress, outputs, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests import servers
from tests.helpers import graph, node

ROOT = Path(__file__).resolve().parents[2]


def fusionflow(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestrator.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_embedded_run_shows_progress_and_outputs(tmp_path):
    result = fusionflow("run", "graphs/hello.json", "--input", "who=fox", env={"FUSIONFLOW_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[##########----------]  50%  step 2 of 4" in result.stdout
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary == {"status": "succeeded", "outputs": {"pause": {"value": "hello, fox"}}}


def test_a_failed_run_exits_non_zero(tmp_path):
    path = tmp_path / "fail.json"
    path.write_text(json.dumps(graph([node("bad", "flow.fail", message="nope")])))
    result = fusionflow("run", str(path), env={"FUSIONFLOW_HOME": str(tmp_path / "home")})
    assert result.returncode == 1
    assert "failed" in result.stdout and "nope" in result.stdout


def test_an_invalid_graph_prints_every_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(graph([node("j", "text.join"), node("x", "no.such")])))
    result = fusionflow("run", str(path), env={"FUSIONFLOW_HOME": str(tmp_path / "home")})
    assert result.returncode == 2
    assert "j.parts (text) needs an edge" in result.stdout and "no.such" in result.stdout


def test_run_against_a_server(tmp_path):
    env = {"FUSIONFLOW_HOME": str(tmp_path / "server")}
    with servers.live_server(env) as live:
        result = fusionflow("run", "graphs/hello.json", "--server", live.url, "--priority", "high",
                            env={"FUSIONFLOW_HOME": str(tmp_path)})
        runs = httpx.get(f"{live.url}/api/runs").json()["runs"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"value": "hello, world"' in result.stdout
    assert [run["priority"] for run in runs] == ["high"]
