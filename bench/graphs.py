"""The benchmark graphs: a chain, a fan (1 -> N -> 1) and a layered random DAG.

Every node is a ``text.join`` of empty strings: the cheapest real node, so the
numbers measure orchestration, not work (joins of non-empty text grow
exponentially with fan-in over many layers)."""

from __future__ import annotations

import random


def _join(node_id: str) -> dict:
    return {"id": node_id, "type": "text.join", "params": {"separator": ""}}


def chain(size: int = 300) -> dict:
    nodes = [{"id": "n0", "type": "input.text", "params": {"default": ""}}] + [_join(f"n{i}") for i in range(1, size)]
    edges = [{"from": f"n{i - 1}.text", "to": f"n{i}.parts"} for i in range(1, size)]
    return {"version": 1, "name": f"chain-{size}", "nodes": nodes, "edges": edges}


def fan(width: int = 300) -> dict:
    nodes = [{"id": "src", "type": "input.text", "params": {"default": ""}}]
    nodes += [_join(f"m{i}") for i in range(width)] + [_join("sink")]
    edges = [{"from": "src.text", "to": f"m{i}.parts"} for i in range(width)]
    edges += [{"from": f"m{i}.text", "to": "sink.parts"} for i in range(width)]
    return {"version": 1, "name": f"fan-{width}", "nodes": nodes, "edges": edges}


def layered(size: int = 300, layers: int = 15, fan_in: int = 3, seed: int = 7) -> dict:
    rng = random.Random(seed)
    per_layer = size // layers
    nodes = [{"id": f"l0n{i}", "type": "input.text", "params": {"default": ""}} for i in range(per_layer)]
    edges = []
    previous = [n["id"] for n in nodes]
    for layer in range(1, layers):
        current = []
        for i in range(per_layer):
            node_id = f"l{layer}n{i}"
            nodes.append(_join(node_id))
            for source in rng.sample(previous, min(fan_in, len(previous))):
                edges.append({"from": f"{source}.text", "to": f"{node_id}.parts"})
            current.append(node_id)
        previous = current
    return {"version": 1, "name": f"layered-{size}", "nodes": nodes, "edges": edges}


def wide_random(size: int = 10_000, max_edges: int = 50_000, seed: int = 3) -> dict:
    """A large DAG for validation and planning: each node joins up to 5 of the 50 before it."""
    rng = random.Random(seed)
    nodes = [{"id": "n0", "type": "input.text", "params": {}}] + [_join(f"n{i}") for i in range(1, size)]
    edges = []
    for i in range(1, size):
        for j in rng.sample(range(max(0, i - 50), i), min(i, 5)):
            edges.append({"from": f"n{j}.text", "to": f"n{i}.parts"})
    return {"version": 1, "nodes": nodes, "edges": edges[:max_edges]}


def successors(graph: dict) -> tuple[dict[str, list[str]], dict[str, int]]:
    """(successors, number of distinct predecessors) of each node."""
    succ: dict[str, list[str]] = {n["id"]: [] for n in graph["nodes"]}
    preds: dict[str, set[str]] = {n["id"]: set() for n in graph["nodes"]}
    for edge in graph["edges"]:
        source, target = edge["from"].split(".")[0], edge["to"].split(".")[0]
        if source not in preds[target]:
            preds[target].add(source)
            succ[source].append(target)
    return succ, {n: len(p) for n, p in preds.items()}


def mapped(items: int = 1000) -> dict:
    """One mapped node (``text.format_each``) over a list of ``items`` texts: one
    execution per item at run time, then gathered."""
    return {"version": 1, "name": f"mapped-{items}", "nodes": [
        {"id": "items", "type": "input.json", "params": {"default": [f"hook {i}" for i in range(items)]}},
        {"id": "each", "type": "text.format_each", "params": {"template": "#{item}"}}],
        "edges": [{"from": "items.json", "to": "each.items"}]}
