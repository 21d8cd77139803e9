"""The plan of a valid graph: topological order, neighbours and input wiring.

Pure code over the graph document; built with networkx. The engine keeps one
plan per run in memory (rebuilt from the stored graph after a restart).
"""

from __future__ import annotations

import hashlib
from collections import ChainMap, deque
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


def build_plan(graph: Graph, order: Sequence[str] | None = None,
               ends: Sequence[tuple[str, str, str, str]] | None = None) -> Plan:
    """The plan of a graph that passed validation (raises ``ValueError`` on a cycle).
    ``order`` and ``ends``, when given, are what validation already computed: a
    topological order and each edge as (source, output, target, input)."""
    ids = [n.id for n in graph.nodes]
    preds: dict[str, dict[str, None]] = {n: {} for n in ids}
    succs: dict[str, dict[str, None]] = {n: {} for n in ids}
    wiring: dict[str, dict[str, list[tuple[str, str]]]] = {n: {} for n in ids}
    if ends is None:
        ends = [(*e.from_.split("."), *e.to.split(".")) for e in graph.edges]
    for src, out_port, dst, in_port in ends:
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
    """The node ids in a topological order (Kahn's algorithm, ties in document order),
    or None when the edges make a cycle (``find_cycle`` then names one, with networkx)."""
    successors: dict[str, list[str]] = {n: [] for n in node_ids}
    waiting = dict.fromkeys(node_ids, 0)
    for source, target in edges:
        successors[source].append(target)
        waiting[target] += 1
    ready = deque(n for n, count in waiting.items() if count == 0)
    order = []
    while ready:
        current = ready.popleft()
        order.append(current)
        for target in successors[current]:
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    return order if len(order) == len(waiting) else None


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


def signatures(plan: Plan, own: dict[str, bytes | None]) -> dict[str, str]:
    """Cache keys known before anything runs, as ComfyUI keys its cache: a node's
    signature hashes its own material (``own[node]``: type, version, params, and for
    an input node the run's value; None when the node is not cacheable) with the
    signatures of the nodes wired into it, port by port in edge order. A node gets
    one only when it and everything upstream of it is cacheable, so equal
    signatures mean equal outputs."""
    found: dict[str, str] = {}
    for node_id in plan.order:
        material = own.get(node_id)
        if material is None or any(p not in found for p in plan.predecessors[node_id]):
            continue
        digest = hashlib.sha256(material)
        for port in sorted(plan.wiring[node_id]):
            for source, out_port in plan.wiring[node_id][port]:
                digest.update(f"\x1f{port}\x1e{found[source]}\x1e{out_port}".encode())
        found[node_id] = digest.hexdigest()
    return found


# -- mapped nodes: one execution per item of a list, expanded at run time ---------------------

def child_id(parent: str, index: int) -> str:
    """The id of a mapped node's execution for item ``index``: ``<node>[<index>]``."""
    return f"{parent}[{index}]"


def parent_of(node_id: str) -> tuple[str, int] | None:
    """(the mapped node, the item's index) of a child execution's id; None for a graph node."""
    if not node_id.endswith("]"):
        return None
    parent, _, index = node_id[:-1].rpartition("[")
    return (parent, int(index)) if parent and index.isdigit() else None


def with_child(plan: Plan, child: str) -> Plan:
    """``plan`` seen from one execution of a mapped node: it has its parent's type, params,
    predecessors and wiring, and the parent as its only successor (so everything below
    the parent is below it). Shares the plan's tables; costs nothing to build."""
    parent, _ = parent_of(child)
    return Plan(order=plan.order,
                types=ChainMap({child: plan.types[parent]}, plan.types),
                params=ChainMap({child: plan.params[parent]}, plan.params),
                predecessors=ChainMap({child: plan.predecessors[parent]}, plan.predecessors),
                successors=ChainMap({child: (parent,)}, plan.successors),
                wiring=ChainMap({child: plan.wiring[parent]}, plan.wiring))
