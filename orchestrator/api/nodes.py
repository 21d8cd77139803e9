"""The node catalog (contract section 6): what drives the canvas."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import get

from nodes import sdk


@cache
def _catalog() -> dict[str, Any]:
    return {"nodes": [t.describe() for t in sdk.iter_types()]}


@get("/api/nodes", tags=["nodes"], summary="The node types this server runs")
async def node_catalog(user_id: str) -> dict[str, Any]:  # user_id: with auth on, callers must sign in
    return _catalog()
