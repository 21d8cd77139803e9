"""What a run returns (contract sections 3 and 13). Pure code.

A graph with ``output.*`` nodes returns ``{name: value}`` over them; a graph
without returns the outputs of every node with no outgoing edge, by node id.
Output nodes inside an expanded subgraph (ids ``<node>/<inner id>``) are the
subgraph's, not the run's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

OUTPUT_PREFIX = "output."
INNER = "/"


def is_output(node_type: str) -> bool:
    return node_type.startswith(OUTPUT_PREFIX)


def output_spec(nodes: Iterable[tuple[str, str, Mapping]]) -> dict[str, str]:
    """Node id -> output name, over the top-level output nodes of (id, type, params)."""
    return {node_id: params.get("name") or node_id
            for node_id, node_type, params in nodes if is_output(node_type) and INNER not in node_id}


def output_types(nodes: Iterable[tuple[str, str, Mapping]]) -> list[dict]:
    """A template's outputs: ``[{name, type}]`` in document order, first of each name."""
    seen: dict[str, dict] = {}
    for node_id, node_type, params in nodes:
        if is_output(node_type) and INNER not in node_id:
            name = params.get("name") or node_id
            seen.setdefault(name, {"name": name, "type": node_type[len(OUTPUT_PREFIX):], "node": node_id})
    return [{"name": o["name"], "type": o["type"]} for o in seen.values()]


def duplicate_names(nodes: Iterable[tuple[str, str, Mapping]]) -> list[tuple[str, str, str]]:
    """(node, name, first node) for each output node whose name an earlier one took."""
    first: dict[str, str] = {}
    clashes = []
    for node_id, name in output_spec(nodes).items():
        if name in first:
            clashes.append((node_id, name, first[name]))
        else:
            first[name] = node_id
    return clashes


def run_outputs(spec: Mapping[str, str], sinks: Iterable[str], succeeded: Mapping[str, dict]) -> dict:
    """The run's ``outputs`` from the outputs of its succeeded nodes (node id -> outputs)."""
    if spec:
        return {name: succeeded[node_id]["value"] for node_id, name in spec.items() if node_id in succeeded}
    return {node_id: succeeded[node_id] for node_id in sinks if node_id in succeeded}
