"""The node catalog (contract section 6): what drives the canvas."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import get

from nodes import sdk
from nodes.builtin.subgraph import INTERNAL


@cache
def _catalog() -> dict[str, Any]:
    return {"nodes": [t.describe() for t in sdk.iter_types() if t.category != INTERNAL]}


@get("/api/nodes", tags=["nodes"], summary="The node types this server runs")
async def node_catalog() -> dict[str, Any]:
    return _catalog()
