"""Property: on random DAGs of up to 300 nodes with fan-in and fan-out, run by two
worker processes over Redis and PostgreSQL, every node runs exactly once, after
all its predecessors, and every ``text.join`` output is what we compute here."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import servers
from tests.helpers import events

pytestmark = pytest.mark.distributed


@st.composite
def dags(draw):
    size = draw(st.integers(min_value=2, max_value=300))
    roots = draw(st.integers(min_value=1, max_value=min(5, size - 1)))
    nodes = [{"id": f"in{i}", "type": "input.text", "params": {"default": f"<{i}>"}} for i in range(roots)]
    length = [len(n["params"]["default"]) for n in nodes]
    edges = []
    for i in range(roots, size):
        # Fan-in from 1 to 4 earlier nodes (chosen near and far), so fan-out happens too.
        count = draw(st.integers(min_value=1, max_value=min(4, i)))
        sources = draw(st.lists(st.integers(min_value=0, max_value=i - 1), min_size=count, max_size=count))
        if sum(length[s] + 1 for s in sources) > 300:
            sources = sources[:1]  # joins grow with every path: keep the texts short
            if length[sources[0]] > 300:
                sources = [draw(st.integers(min_value=0, max_value=roots - 1))]
        separator = draw(st.sampled_from(["", "+"]))
        nodes.append({"id": f"n{i}", "type": "text.join", "params": {"separator": separator}})
        length.append(sum(length[s] for s in sources) + len(separator) * (len(sources) - 1))
        for s in sources:
            edges.append({"from": f"{nodes[s]['id']}.text", "to": f"n{i}.parts"})
    return {"version": 1, "nodes": nodes, "edges": edges}


def expected_outputs(graph: dict) -> dict[str, str]:
    values: dict[str, str] = {}
    for node in graph["nodes"]:  # document order is a topological order here
        if node["type"] == "input.text":
            values[node["id"]] = node["params"]["default"]
        else:
            parts = [values[e["from"].split(".")[0]] for e in graph["edges"] if e["to"].startswith(node["id"] + ".")]
            values[node["id"]] = node["params"]["separator"].join(parts)
    return values


@pytest.fixture(scope="module")
def cluster(distributed_env):
    with servers.live_server(distributed_env) as live, servers.worker_processes(distributed_env, 2, threads=4):
        with httpx.Client(base_url=live.url, timeout=60) as client:
            yield client


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow, HealthCheck.data_too_large])
@given(graph=dags())
def test_every_node_runs_once_after_its_predecessors(cluster, graph):
    response = cluster.post("/api/runs", json={"graph": graph, "inputs": {}, "cache": False})
    assert response.status_code == 201, response.text
    log = events(cluster, response.json()["id"], timeout=120)
    assert log[-1][1] == "run.succeeded"

    started = [data["node_id"] for _, kind, data in log if kind == "node.started"]
    assert sorted(started) == sorted(n["id"] for n in graph["nodes"]), "every node starts exactly once"
    position = {data["node_id"]: i for i, (_, kind, data) in enumerate(log) if kind == "node.started"}
    finished = {data["node_id"]: i for i, (_, kind, data) in enumerate(log) if kind == "node.succeeded"}
    for edge in graph["edges"]:
        source, target = edge["from"].split(".")[0], edge["to"].split(".")[0]
        assert finished[source] < position[target], f"{target} started before {source} finished"

    run = cluster.get(f"/api/runs/{response.json()['id']}").json()
    expected = expected_outputs(graph)
    for node_id, state in run["nodes"].items():
        assert state["attempts"] == 1
        value = state["outputs"]["text"]
        assert value == expected[node_id], node_id
