"""The node catalog (contract section 6): what drives the canvas."""

from __future__ import annotations

from typing import Any

from litestar import get

from orchestrator.api.state import Services


@get("/api/nodes", tags=["nodes"], summary="The node types this server runs")
async def node_catalog(services: Services) -> dict[str, Any]:
    return services.catalog_document
