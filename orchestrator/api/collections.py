"""Collections (contract section 11): named, ordered sets of images, videos or audios."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.params import Parameter

from orchestrator.api.state import Services

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
AssetIds = Annotated[list[Annotated[str, msgspec.Meta(max_length=40)]], msgspec.Meta(max_length=10_000)]


class CollectionCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    kind: Literal["image", "video", "audio"]


class CollectionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    items: AssetIds | None = None
    """The asset ids in their new order (the collection then holds exactly these)."""


class ItemsAdd(msgspec.Struct, forbid_unknown_fields=True):
    asset_ids: Annotated[AssetIds, msgspec.Meta(min_length=1)]


class CollectionController(Controller):
    path = "/api/collections"
    tags = ["library"]

    @post("/", status_code=201, sync_to_thread=True, summary="Create a collection")
    def create(self, data: CollectionCreate, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.collections.create(user_id, data.name, data.kind)

    @get("/", sync_to_thread=True, summary="List collections, newest first")
    def list_collections(self, services: Services, user_id: str,
                         limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
                         cursor: str | None = None) -> dict[str, Any]:
        return services.library.collections.list(user_id, limit=limit, cursor=cursor)

    @get("/{collection_id:str}", sync_to_thread=True, summary="A collection with its items in order")
    def get_collection(self, collection_id: str, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.collections.get(user_id, collection_id)

    @patch("/{collection_id:str}", sync_to_thread=True, summary="Rename a collection, or reorder its items")
    def update(self, collection_id: str, data: CollectionUpdate, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.collections.update(user_id, collection_id, name=data.name, items=data.items)

    @delete("/{collection_id:str}", status_code=204, sync_to_thread=True, summary="Delete a collection (not its assets)")
    def remove(self, collection_id: str, services: Services, user_id: str) -> None:
        services.library.collections.delete(user_id, collection_id)

    @post("/{collection_id:str}/items", status_code=200, sync_to_thread=True, summary="Append assets to a collection")
    def add_items(self, collection_id: str, data: ItemsAdd, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.collections.add_items(user_id, collection_id, data.asset_ids)

    @delete("/{collection_id:str}/items/{asset_id:str}", status_code=204, sync_to_thread=True,
            summary="Take an asset out of a collection")
    def remove_item(self, collection_id: str, asset_id: str, services: Services, user_id: str) -> None:
        services.library.collections.remove_item(user_id, collection_id, asset_id)
