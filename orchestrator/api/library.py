"""The media library's routes (contract section 11): list, rename/tag/keep, delete.

Uploads and single reads (``POST /api/assets``, ``GET /api/assets/{id}``) are in
``orchestrator.api.assets``; the logic is in ``orchestrator.library.assets``.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import delete, get, patch
from litestar.params import Parameter

from orchestrator.api.state import Services

Tag = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.:\-]{0,49}$",
                                  description="1 to 50 letters, digits, spaces, _ . : -")]


class AssetUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")] | None = None
    tags: Annotated[list[Tag], msgspec.Meta(max_length=50)] | None = None
    keep: bool | None = None
    """True: the asset never expires. False: a run's output expires again as the retention says."""


@get("/api/assets", sync_to_thread=True, operation_id="listAssets", tags=["library"], summary="List the caller's assets, newest first")
def list_assets(
    services: Services, user_id: str,
    kind: Annotated[str | None, Parameter(pattern="^(image|video|audio|other)$")] = None,
    tag: str | None = None,
    collection: str | None = None,
    q: Annotated[str | None, Parameter(max_length=200)] = None,
    origin: Annotated[str | None, Parameter(pattern="^(upload|run)$")] = None,
    limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    return services.library.assets.list(user_id, kind=kind, tag=tag, collection=collection, q=q, origin=origin,
                                        limit=limit, cursor=cursor)


# PATCH and DELETE share their path with GET /api/assets/{id}. Litestar 2.25 breaks the
# first-registered handler of a path with three handlers when it is a sync_to_thread one
# (it answers the coroutine: a 500), so these are async and registered first (app.py).


@patch("/api/assets/{asset_id:str}", operation_id="updateAsset", tags=["library"],
       summary="Rename, tag or keep an asset")
async def update_asset(asset_id: str, data: AssetUpdate, services: Services, user_id: str) -> dict[str, Any]:
    return await anyio.to_thread.run_sync(lambda: services.library.assets.update(
        user_id, asset_id, name=data.name, tags=data.tags, keep=data.keep))


@delete("/api/assets/{asset_id:str}", status_code=204, operation_id="deleteAsset", tags=["library"],
        summary="Delete an asset (its bytes too, unless another asset shares them)")
async def delete_asset(asset_id: str, services: Services, user_id: str) -> None:
    await anyio.to_thread.run_sync(services.library.assets.delete, user_id, asset_id)


ROUTES: list = [update_asset, delete_asset, list_assets]
