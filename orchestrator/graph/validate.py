"""Validation of a well-formed graph against the node catalog (contract section 2).

Pure code: no I/O. Every error found is reported, not just the first, each
naming the node, port, param or edge at fault, as ComfyUI users expect.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from nodes.sdk import MEDIA_TYPES, NodeType, Port
from orchestrator.graph.plan import find_cycle, topological_order
from orchestrator.graph.spec import Graph

NODE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
INPUT_TYPE_PREFIX = "input."


class Limits(msgspec.Struct, frozen=True):
    max_nodes: int = 10_000
    max_edges: int = 50_000


def error(code: str, message: str, **fields: Any) -> dict:
    return {"code": code, **{k: v for k, v in fields.items() if v is not None}, "message": message}


def compatible(output_type: str, input_type: str) -> bool:
    return output_type == input_type or "any" in (output_type, input_type)


class Checked(msgspec.Struct):
    """What validation found: the errors, each valid node's params struct (defaults
    filled in, overrides applied), and a topological order when there is no cycle."""

    errors: list[dict]
    params: dict[str, Any]
    order: list[str] | None = None
    ends: list[tuple[str, str, str, str]] | None = None
    """Each edge as (source node, output, target node, input), parsed once."""

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(graph: Graph, catalog: Mapping[str, NodeType], limits: Limits = Limits(),
             overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Checked:
    """Check ``graph`` against the catalog, reporting every error found."""
    if len(graph.nodes) > limits.max_nodes or len(graph.edges) > limits.max_edges:
        return Checked([error("too_large", f"the graph has {len(graph.nodes)} nodes and {len(graph.edges)} edges; "
                              f"this server takes at most {limits.max_nodes} nodes and {limits.max_edges} edges")], {})
    errors: list[dict] = []
    types = _check_nodes(graph, catalog, errors)
    params = _check_params(graph, types, overrides or {}, errors)
    ends = [(*e.from_.split("."), *e.to.split(".")) for e in graph.edges]
    connected = _check_edges(graph, ends, types, errors)
    _check_required_inputs(types, connected, errors)
    order = _check_cycles(ends, types, errors)
    return Checked(errors, params, order, ends)


def _check_nodes(graph: Graph, catalog: Mapping[str, NodeType], errors: list[dict]) -> dict[str, NodeType | None]:
    """Node ids and types. Returns id -> type (None for an unknown type)."""
    types: dict[str, NodeType | None] = {}
    for node in graph.nodes:
        if not NODE_ID.match(node.id):
            errors.append(error("invalid_node_id", f"node id {node.id!r} must be 1 to 64 characters of "
                                "A-Z a-z 0-9 _ -", node=node.id))
        if node.id in types:
            errors.append(error("duplicate_node_id", f"two nodes have the id {node.id!r}", node=node.id))
            continue
        node_type = catalog.get(node.type)
        if node_type is None:
            errors.append(error("unknown_node_type", f"node {node.id}: unknown type {node.type!r} "
                                "(see GET /api/nodes)", node=node.id))
        types[node.id] = node_type
    return types


def _check_params(graph: Graph, types: Mapping[str, NodeType | None],
                  overrides: Mapping[str, Mapping[str, Any]], errors: list[dict]) -> dict[str, Any]:
    for node_id in overrides:
        if node_id not in types:
            errors.append(error("unknown_node", f"overrides name node {node_id!r}, which the graph does not have",
                                node=node_id))
    params: dict[str, Any] = {}
    seen: set[str] = set()
    for node in graph.nodes:
        node_type = types.get(node.id)
        if node.id in seen or node_type is None:
            continue
        seen.add(node.id)
        values = {**node.params, **overrides.get(node.id, {})}
        struct = check_params(node.id, node_type, values, errors)
        if struct is not None:
            params[node.id] = struct
    return params


@functools.cache
def _param_fields(params_cls: type) -> dict[str, msgspec.structs.FieldInfo]:
    return {f.encode_name: f for f in msgspec.structs.fields(params_cls)}


def check_params(node_id: str, node_type: NodeType, values: Mapping[str, Any], errors: list[dict]) -> Any:
    """Convert ``values`` to the node type's params struct, reporting each bad param."""
    try:
        return msgspec.convert(values, node_type.params)
    except msgspec.ValidationError:
        pass  # find every bad param, not just the first
    fields = _param_fields(node_type.params)
    before = len(errors)
    for name, value in values.items():
        field = fields.get(name)
        if field is None:
            errors.append(error("invalid_param", f"{node_id}: {node_type.type} has no param {name!r} "
                                f"(it takes {', '.join(fields) or 'none'})", node=node_id, param=name))
            continue
        try:
            msgspec.convert(value, field.type)
        except msgspec.ValidationError as exc:
            errors.append(error("invalid_param", f"{node_id}.{name}: {_describe(exc)}", node=node_id, param=name))
    for name, field in fields.items():
        if field.required and name not in values:
            errors.append(error("invalid_param", f"{node_id}: param {name!r} is required", node=node_id, param=name))
    if len(errors) > before:
        return None
    try:
        return msgspec.convert(dict(values), node_type.params)
    except msgspec.ValidationError as exc:  # a check across fields, in __post_init__
        errors.append(error("invalid_param", f"{node_id}: {_describe(exc)}", node=node_id,
                            param=_path_param(exc)))
        return None


def _describe(exc: msgspec.ValidationError) -> str:
    return str(exc).split(" - at `", 1)[0]


def _path_param(exc: msgspec.ValidationError) -> str | None:
    match = re.search(r"at `\$\.([A-Za-z0-9_]+)", str(exc))
    return match.group(1) if match else None


def _check_edges(graph: Graph, ends: list[tuple[str, str, str, str]], types: Mapping[str, NodeType | None],
                 errors: list[dict]) -> dict[tuple[str, str], int]:
    """Edge ends, port types, single inputs. Returns (node, input) -> number of edges."""
    connected: dict[tuple[str, str], int] = {}
    outputs = {n: t.output_ports for n, t in types.items() if t is not None}
    inputs = {n: t.input_ports for n, t in types.items() if t is not None}
    for index, (src, out_name, dst, in_name) in enumerate(ends):
        # The common case (both ends exist) in a few dict lookups; ``_port`` explains the rest.
        out_port = outputs[src].get(out_name) if src in outputs else None
        in_port = inputs[dst].get(in_name) if dst in inputs else None
        if out_port is None:
            out_port = _port(index, graph.edges[index], src, out_name, types.get(src, _ABSENT), "output", errors)
        if in_port is None:
            in_port = _port(index, graph.edges[index], dst, in_name, types.get(dst, _ABSENT), "input", errors)
            if in_port is None:
                continue
        key = (dst, in_name)
        count = connected[key] = connected.get(key, 0) + 1
        if count > 1 and not in_port.multiple:
            errors.append(error("input_already_connected", f"{dst}.{in_name} takes one edge; edge {index} "
                                f"({graph.edges[index].from_}) is a second one", node=dst, port=in_name, edge=index))
        if out_port is not None and out_port.type != in_port.type and not compatible(out_port.type, in_port.type):
            errors.append(error("type_mismatch", f"{dst}.{in_name} takes {in_port.type}; "
                                f"{src}.{out_name} gives {out_port.type}", node=dst, port=in_name, edge=index))
    return connected


_ABSENT: Any = object()


def _port(index: int, edge, node_id: str, port_name: str, node_type: Any, direction: str,
          errors: list[dict]) -> Port | None:
    """The port an edge end names, or None (reporting why, unless the node's type is unknown)."""
    if node_type is _ABSENT:
        errors.append(error("unknown_node", f"edge {index} ({edge.from_} -> {edge.to}) names node "
                            f"{node_id!r}, which the graph does not have", edge=index, node=node_id))
        return None
    if node_type is None:
        return None
    table = node_type.output_ports if direction == "output" else node_type.input_ports
    port = table.get(port_name)
    if port is None:
        errors.append(error("unknown_port", f"{node_id} ({node_type.type}) has no {direction} "
                            f"{port_name!r} (its {direction}s: {', '.join(table) or 'none'})",
                            node=node_id, port=port_name, edge=index))
    return port


def _check_required_inputs(types: Mapping[str, NodeType | None], connected: Mapping[tuple[str, str], int],
                           errors: list[dict]) -> None:
    for node_id, node_type in types.items():
        if node_type is None:
            continue
        for port in node_type.inputs:
            if port.required and (node_id, port.name) not in connected:
                errors.append(error("missing_input", f"{node_id}.{port.name} ({port.type}) needs an edge",
                                    node=node_id, port=port.name))


def _check_cycles(ends: list[tuple[str, str, str, str]], types: Mapping[str, NodeType | None],
                  errors: list[dict]) -> list[str] | None:
    edges = [(src, dst) for src, _, dst, _ in ends if src in types and dst in types]
    order = topological_order(list(types), edges)
    if order is not None:
        return order
    cycle = find_cycle(list(types), edges)
    if cycle:
        errors.append(error("cycle", f"the graph has a cycle: {' -> '.join(cycle + cycle[:1])}", nodes=cycle))


def declared_inputs(graph: Graph, params: Mapping[str, Any]) -> dict[str, dict]:
    """The run inputs the graph's ``input.*`` nodes declare: name -> {name, type, default, node}."""
    declared: dict[str, dict] = {}
    for node in graph.nodes:
        if not node.type.startswith(INPUT_TYPE_PREFIX) or node.id not in params:
            continue
        p = params[node.id]
        name = getattr(p, "name", None) or node.id
        declared.setdefault(name, {"name": name, "type": node.type[len(INPUT_TYPE_PREFIX):],
                                   "default": getattr(p, "default", None), "node": node.id})
    return declared


def check_run_inputs(declared: Mapping[str, dict], inputs: Mapping[str, Any]) -> list[dict]:
    """Errors for run inputs no ``input.*`` node declares, or of the wrong JSON type.
    (Whether an asset id exists is the caller's check: it needs the database.)"""
    errors = []
    for name, value in inputs.items():
        spec = declared.get(name)
        if spec is None:
            errors.append(error("unknown_input", f"no input node declares the input {name!r} "
                                f"(declared: {', '.join(declared) or 'none'})", input=name))
            continue
        expected = spec["type"]
        ok = {
            "text": isinstance(value, str),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
        }.get(expected, isinstance(value, str) if expected in MEDIA_TYPES else True)
        if not ok:
            wanted = "an asset id" if expected in MEDIA_TYPES else expected
            errors.append(error("invalid_input", f"input {name!r} takes {wanted}, got {type(value).__name__}",
                                input=name))
    return errors
