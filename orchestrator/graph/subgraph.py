"""Subgraphs: templates used as nodes, resolved and expanded at submission. Pure code.

A ``graph.template`` node names a template (and maybe a version). ``resolve``
loads every template a graph reaches, through a ``load`` function the caller
gives (the database is not this module's business), reports a template that does
not exist or reaches itself, and gives each such node a node type whose ports are
its template's inputs and outputs, so that validation checks the user's graph as
drawn. ``expand`` then replaces each such node by its template's nodes, ids
``<node>/<inner id>`` (engine-internal: ``/`` is not allowed in a node id the user
writes), wired to what the node was wired to:

- an edge into the node's input ``x`` feeds what the template's input node ``x`` fed
  (that input node disappears); an input left unconnected becomes a ``graph.default``
  node holding the template input's default;
- an edge out of the node's output ``y`` leaves the template's output node named ``y``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import msgspec

from nodes.builtin.inputs import INPUT_TYPES
from nodes.builtin.subgraph import DEFAULT_NODE, TEMPLATE_NODE
from nodes.sdk import NodeType, Port
from orchestrator.graph.outputs import INNER, output_types
from orchestrator.graph.validate import error

MAX_DEPTH = 32


@dataclass(frozen=True)
class Template:
    """One version of a template, as ``load`` returns it."""

    id: str
    version: int
    graph: dict
    """The graph document (JSON builtins)."""


Loader = Callable[[str, "int | None"], "Template | None"]
"""(template id, version or None for the latest) -> that version, or None when it does not exist."""


def template_inputs(graph: dict, catalog: Mapping[str, NodeType]) -> list[dict]:
    """A template's inputs, ``[{name, type, default, node}]``, from its ``input.*`` nodes
    (defaults filled in from the node type's params; first of each name)."""
    inputs: dict[str, dict] = {}
    for node in graph["nodes"]:
        node_type = catalog.get(node["type"])
        if node["type"] not in INPUT_TYPES or node_type is None or INNER in node["id"]:
            continue
        try:
            params = msgspec.convert(node.get("params") or {}, node_type.params)
        except msgspec.ValidationError:
            continue
        name = getattr(params, "name", None) or node["id"]
        inputs.setdefault(name, {"name": name, "type": INPUT_TYPES[node["type"]],
                                 "default": getattr(params, "default", None), "node": node["id"]})
    return list(inputs.values())


def template_outputs(graph: dict) -> list[dict]:
    """A template's outputs, ``[{name, type}]``, from its output nodes."""
    return output_types((n["id"], n["type"], n.get("params") or {}) for n in graph["nodes"])


def ports_of(template: Template, catalog: Mapping[str, NodeType]) -> NodeType:
    """The ``graph.template`` node type with this template's ports (inputs all optional)."""
    base = catalog[TEMPLATE_NODE]
    return dataclasses.replace(
        base,
        inputs=tuple(Port(i["name"], i["type"], required=False) for i in template_inputs(template.graph, catalog)),
        outputs=tuple(Port(o["name"], o["type"]) for o in template_outputs(template.graph)))


@dataclass
class Resolved:
    """What ``resolve`` found for one graph."""

    node_types: dict[str, NodeType] = field(default_factory=dict)
    """Subgraph node id -> its node type, with the template's ports."""
    errors: list[dict] = field(default_factory=list)


def resolve(graph: dict, load: Loader, catalog: Mapping[str, NodeType], *, chain: tuple[str, ...] = ()) -> Resolved:
    """Load the templates of ``graph``'s subgraph nodes and of theirs, all the way down.
    ``chain`` holds the templates ``graph`` is already inside (the template being saved),
    so that one reaching back to them is a ``cycle``."""
    resolved = Resolved()
    for node in graph["nodes"]:
        if node["type"] != TEMPLATE_NODE:
            continue
        params = node.get("params") or {}
        template_id, version = params.get("template"), params.get("version")
        if not isinstance(template_id, str) or not (version is None or isinstance(version, int)):
            continue  # a bad param: validation reports it
        template, problem = _reach(template_id, version, load, chain, depth=0)
        if problem is not None:
            resolved.errors.append({**problem, "node": node["id"]})
        resolved.node_types[node["id"]] = (ports_of(template, catalog) if template is not None
                                           else _whatever_is_wired(node["id"], graph, catalog))
    return resolved


def _whatever_is_wired(node_id: str, graph: dict, catalog: Mapping[str, NodeType]) -> NodeType:
    """For a subgraph node whose template cannot be had: the ports its edges name, typed
    ``any``, so that its one error is the template's and not one per edge."""
    ins = {e["to"].partition(".")[2] for e in graph.get("edges", []) if e["to"].partition(".")[0] == node_id}
    outs = {e["from"].partition(".")[2] for e in graph.get("edges", []) if e["from"].partition(".")[0] == node_id}
    return dataclasses.replace(catalog[TEMPLATE_NODE], inputs=tuple(Port(p, "any", required=False) for p in sorted(ins)),
                               outputs=tuple(Port(p, "any") for p in sorted(outs)))


def _reach(template_id: str, version: int | None, load: Loader, chain: tuple[str, ...],
           depth: int) -> tuple[Template | None, dict | None]:
    """The template, and the first problem found in it or in any template it reaches
    (a template that cannot be loaded comes back as None)."""
    if template_id in chain:
        cycle = [*chain[chain.index(template_id):], template_id]
        return None, error("cycle", f"template {template_id} includes itself: {' -> '.join(cycle)}",
                           param="template", templates=cycle)
    template = load(template_id, version)
    if template is None:
        what = f"template {template_id}" + (f" has no version {version}" if version is not None else
                                            " does not exist (was it deleted?)")
        param = "version" if version is not None and load(template_id, None) is not None else "template"
        return None, error("invalid_param", what, param=param)
    if depth >= MAX_DEPTH:
        return template, error("invalid_param", f"subgraphs nest more than {MAX_DEPTH} deep", param="template")
    for inner in template.graph["nodes"]:
        if inner["type"] == TEMPLATE_NODE:
            params = inner.get("params") or {}
            _, problem = _reach(params.get("template", ""), params.get("version"), load,
                                (*chain, template_id), depth + 1)
            if problem is not None:
                return template, problem
    return template, None


class ExpansionError(Exception):
    """The graph cannot be expanded (a template changed under the request, or it grew too big)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


def expand(graph: dict, load: Loader, catalog: Mapping[str, NodeType], *, max_nodes: int) -> dict:
    """``graph`` with every subgraph node replaced by its template's nodes, recursively.
    A graph without subgraph nodes comes back as it is. Call after ``resolve`` found no errors."""
    if not any(n["type"] == TEMPLATE_NODE for n in graph["nodes"]):
        return graph
    expanded = _Expansion(load, catalog).expand(graph)
    if len(expanded["nodes"]) > max_nodes:
        raise ExpansionError([error("too_large", f"with its subgraphs expanded the graph has "
                                    f"{len(expanded['nodes'])} nodes; this server takes at most {max_nodes}")])
    return expanded


class _Expansion:
    def __init__(self, load: Loader, catalog: Mapping[str, NodeType]) -> None:
        self.load = load
        self.catalog = catalog

    def expand(self, graph: dict) -> dict:
        nodes: list[dict] = []
        edges: list[dict] = []
        subgraphs: dict[str, _Inlined] = {}
        for node in graph["nodes"]:
            if node["type"] != TEMPLATE_NODE:
                nodes.append(node)
                continue
            params = node.get("params") or {}
            template = self.load(params["template"], params.get("version"))
            if template is None:
                raise ExpansionError([error("invalid_param", f"template {params['template']} no longer exists",
                                            node=node["id"], param="template")])
            connected = {e["to"].partition(".")[2]: e["from"] for e in graph.get("edges", [])
                         if e["to"].partition(".")[0] == node["id"]}
            inlined = _inline(node["id"], self.expand(template.graph), connected, self.catalog)
            subgraphs[node["id"]] = inlined
            nodes.extend(inlined.nodes)
            edges.extend(inlined.edges)
        for edge in graph.get("edges", []):
            target = edge["to"].partition(".")[0]
            if target in subgraphs:
                continue  # consumed by the subgraph's inputs
            source, _, port = edge["from"].partition(".")
            if source in subgraphs:
                edge = {**edge, "from": subgraphs[source].output(source, port)}
            edges.append(edge)
        return {**graph, "nodes": nodes, "edges": edges}


@dataclass
class _Inlined:
    nodes: list[dict]
    edges: list[dict]
    outputs: dict[str, str]
    """Output name -> the inner output node's ``value`` end."""

    def output(self, node_id: str, port: str) -> str:
        if port not in self.outputs:
            raise ExpansionError([error("unknown_port", f"{node_id}: its template has no output {port!r} any more",
                                        node=node_id, port=port)])
        return self.outputs[port]


def _inline(prefix: str, inner: dict, connected: Mapping[str, str], catalog: Mapping[str, NodeType]) -> _Inlined:
    """The template graph ``inner`` (already expanded) as nodes of the outer graph."""
    inputs = {i["node"]: i for i in template_inputs(inner, catalog)}
    rename: dict[str, str] = {}
    """inner node id -> the end its outgoing edges now leave from ("" = keep the port)."""
    nodes = []
    for node in inner["nodes"]:
        spec = inputs.get(node["id"])
        if spec is not None and spec["name"] in connected:
            rename[node["id"]] = connected[spec["name"]]
            continue
        new_id = f"{prefix}{INNER}{node['id']}"
        if spec is not None:
            nodes.append({"id": new_id, "type": DEFAULT_NODE,
                          "params": {"type": spec["type"], "value": spec["default"], "input": spec["name"]}})
            rename[node["id"]] = f"{new_id}.value"
        else:
            nodes.append({**node, "id": new_id})
    edges = []
    for edge in inner.get("edges", []):
        source, _, port = edge["from"].partition(".")
        target, _, in_port = edge["to"].partition(".")
        start = rename.get(source) or f"{prefix}{INNER}{source}.{port}"
        edges.append({"from": start, "to": f"{prefix}{INNER}{target}.{in_port}"})
    outputs = {}
    for node in inner["nodes"]:
        if node["type"].startswith("output.") and INNER not in node["id"]:
            name = (node.get("params") or {}).get("name") or node["id"]
            outputs.setdefault(name, f"{prefix}{INNER}{node['id']}.value")
    return _Inlined(nodes, edges, outputs)
