"""The catalog of provider models, for the canvas's model search (contract section 13)."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from orchestrator.api.state import Services
from orchestrator.model_catalog.service import ModelList


@get("/api/catalog/models", tags=["catalog"], sync_to_thread=False,
     summary="Provider model endpoints with categories and input schemas")
def catalog_models(services: Services, user_id: str, q: str = "", category: str | None = None, provider: str | None = None,
                   limit: Annotated[int, Parameter(ge=1, le=200)] = 50, cursor: str | None = None) -> ModelList:
    """The same for every user; with authentication on, a key is needed like everywhere under /api."""
    return services.models.search(q=q, category=category, provider=provider, limit=limit, cursor=cursor)
