"""Trained models (contract section 11): registered by ``lora.train``, used by ``image.generate``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get
from litestar.params import Parameter

from orchestrator.api.state import Services


class ModelController(Controller):
    path = "/api/models"
    tags = ["library"]

    @get("/", sync_to_thread=True, summary="List trained models, newest first")
    def list_models(self, services: Services, user_id: str, limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
                    cursor: str | None = None) -> dict[str, Any]:
        return services.library.models.list(user_id, limit=limit, cursor=cursor)

    @get("/{model_id:str}", sync_to_thread=True, summary="A trained model")
    def get_model(self, model_id: str, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.models.get(user_id, model_id)

    @delete("/{model_id:str}", status_code=204, sync_to_thread=True, summary="Delete a model (its weights stay)")
    def remove(self, model_id: str, services: Services, user_id: str) -> None:
        services.library.models.delete(user_id, model_id)
