"""The node catalog (contract section 6): what drives the canvas."""

from __future__ import annotations

from litestar import get

from orchestrator.api.state import Services
from orchestrator.engine.documents import Catalog


@get("/api/nodes", tags=["nodes"], summary="The node types this server runs")
async def node_catalog(services: Services, user_id: str) -> Catalog:  # user_id: with auth on, sign in first
    return services.catalog_document
