"""GET /api/examples: every graph of graphs/, with its layout, ready to open or run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import submit, wait_run

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


def test_every_example_graph_is_served_with_its_name_description_and_layout(client):
    response = client.get("/api/examples")
    assert response.status_code == 200
    examples = {e["id"]: e for e in response.json()["examples"]}
    assert set(examples) == {p.stem for p in GRAPHS.glob("*.json")}
    for example_id, example in examples.items():
        source = json.loads((GRAPHS / f"{example_id}.json").read_text())
        assert example["name"] == source["name"]
        assert example["description"] == source["description"] and example["description"]
        assert example["graph"]["ui"] == source["ui"]
        assert [n["id"] for n in example["graph"]["nodes"]] == [n["id"] for n in source["nodes"]]
        assert "description" not in example["graph"]


def test_an_example_runs_as_served(client):
    hello = next(e for e in client.get("/api/examples").json()["examples"] if e["id"] == "hello")
    run = wait_run(client, submit(client, hello["graph"], {"who": "fox"})["id"])
    assert run["status"] == "succeeded"
    assert "hello, fox" in json.dumps(run["outputs"])
