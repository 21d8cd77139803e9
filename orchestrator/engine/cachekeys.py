"""Output-cache keys: what makes two executions of a node the same.

Two kinds, both SHA-256 over msgspec JSON with sorted keys:

- a *signature*, known at submission, for a cacheable node whose ancestors are all
  cacheable (``orchestrator.graph.plan.signatures``): the node's type, version and
  params (and, for an input node, the run's value) with its ancestors' signatures.
  The ledger resolves these hits before anything runs.
- a *value key*, for a cacheable node downstream of one that is not (an image
  generated without a seed): its type, version, params and the input values it
  received, assets by content hash rather than by their expiring URLs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import msgspec

from nodes.sdk import MISSING, NodeType
from orchestrator.graph.plan import Plan, signatures

_encode = msgspec.json.Encoder(order="sorted").encode


def _params_material(params: Any) -> dict:
    """The params that decide outputs (a time limit does not)."""
    material = msgspec.to_builtins(params)
    material.pop("timeout", None)
    return material


def plan_signatures(plan: Plan, catalog: Mapping[str, NodeType], run_inputs: dict[str, Any]) -> dict[str, str]:
    """The signature of every node of ``plan`` that has one."""
    own: dict[str, bytes | None] = {}
    for node_id in plan.order:
        node_type = catalog.get(plan.types[node_id])
        if node_type is None:
            continue
        params = msgspec.convert(plan.params[node_id], node_type.params)
        if node_type.type.startswith("input."):
            name = getattr(params, "name", None) or node_id
            value = run_inputs.get(name, MISSING)
            material = [node_type.type, node_type.version, _params_material(params),
                        None if value is MISSING else value]
        elif node_type.is_cacheable(params):
            material = [node_type.type, node_type.version, _params_material(params)]
        else:
            continue
        own[node_id] = _encode(material)
    return signatures(plan, own)


def value_key(node_type: NodeType, params: Any, inputs: dict[str, Any]) -> str:
    """The key of one execution from the values it received."""
    material = [node_type.type, node_type.version, _params_material(params), _by_content(inputs)]
    return hashlib.sha256(_encode(material)).hexdigest()


def _by_content(value: Any) -> Any:
    """Asset references by content, not by (expiring) URL."""
    if isinstance(value, dict):
        if "asset_id" in value and "sha256" in value:
            return {"sha256": value["sha256"], "content_type": value.get("content_type")}
        return {k: _by_content(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_by_content(v) for v in value]
    return value
