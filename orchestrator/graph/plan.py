"""The plan of a valid graph: topological order, neighbours and input wiring.

Pure code over the graph document; built with networkx. The engine keeps one
plan per run in memory (rebuilt from the stored graph after a restart).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from orchestrator.graph.spec import Graph


@dataclass(frozen=True)
class Plan:
    order: tuple[str, ...]
    """Node ids in a topological order (stable: ties keep document order)."""
    types: dict[str, str]
    params: dict[str, dict]
    predecessors: dict[str, tuple[str, ...]]
    """Distinct upstream nodes of each node."""
    successors: dict[str, tuple[str, ...]]
    """Distinct downstream nodes of each node."""
    wiring: dict[str, dict[str, tuple[tuple[str, str], ...]]]
    """node -> input port -> ((source node, output port), ...) in edge order."""

    @cached_property
    def roots(self) -> tuple[str, ...]:
        return tuple(n for n in self.order if not self.predecessors[n])

    @cached_property
    def sinks(self) -> tuple[str, ...]:
        return tuple(n for n in self.order if not self.successors[n])

    def descendants(self, node_id: str) -> list[str]:
        """Every node downstream of ``node_id``, in topological order."""
        seen: set[str] = set()
        stack = list(self.successors[node_id])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.successors[current])
        return [n for n in self.order if n in seen]


def build_plan(graph: Graph, order: Sequence[str] | None = None) -> Plan:
    """The plan of a graph that passed validation (raises ``ValueError`` on a cycle).
    ``order``, when given, is a topological order already computed (by validation)."""
    ids = [n.id for n in graph.nodes]
    preds: dict[str, dict[str, None]] = {n: {} for n in ids}
    succs: dict[str, dict[str, None]] = {n: {} for n in ids}
    wiring: dict[str, dict[str, list[tuple[str, str]]]] = {n: {} for n in ids}
    for edge in graph.edges:
        src, out_port = edge.source
        dst, in_port = edge.target
        preds[dst][src] = None
        succs[src][dst] = None
        wiring[dst].setdefault(in_port, []).append((src, out_port))
    if order is None:
        order = topological_order(ids, ((s, d) for s, ds in succs.items() for d in ds))
    if order is None:
        raise ValueError("the graph has a cycle")
    return Plan(
        order=tuple(order),
        types={n.id: n.type for n in graph.nodes},
        params={n.id: dict(n.params) for n in graph.nodes},
        predecessors={n: tuple(p) for n, p in preds.items()},
        successors={n: tuple(s) for n, s in succs.items()},
        wiring={n: {port: tuple(sources) for port, sources in w.items()} for n, w in wiring.items()},
    )


def topological_order(node_ids: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """The node ids in a topological order, or None when the edges make a cycle."""
    digraph = nx.DiGraph()
    digraph.add_nodes_from(node_ids)
    digraph.add_edges_from(edges)
    try:
        return list(nx.topological_sort(digraph))
    except nx.NetworkXUnfeasible:
        return None


def find_cycle(node_ids: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[str]:
    """The node ids along one cycle, in edge direction; empty when there is none."""
    digraph = nx.DiGraph()
    digraph.add_nodes_from(node_ids)
    digraph.add_edges_from(edges)
    try:
        cycle_edges = nx.find_cycle(digraph)
    except nx.NetworkXNoCycle:
        return []
    return [source for source, _target in cycle_edges]
