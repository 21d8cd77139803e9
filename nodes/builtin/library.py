"""Library inputs: a collection's assets and a hooks category, read when the node runs."""

from __future__ import annotations

from typing import Annotated

import msgspec

from nodes.sdk import Context, NodeError, Params, Port, node_type


class CollectionParams(Params):
    collection: str = ""
    """A collection id (``GET /api/collections``)."""


class HooksParams(Params):
    category: str = ""
    """A hooks category (``GET /api/hooks/categories``)."""
    limit: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None
    """At most this many texts (the oldest first); all when unset."""


@node_type("input.collection", title="Collection", category="input",
           outputs=[Port("items", "json", description="The collection's asset references, in order"),
                    Port("count", "number")])
def collection_input(ctx: Context, params: CollectionParams, inputs: dict) -> dict:
    """The assets of one of your collections, in the collection's order (read when the run
    reaches this node). Feed ``items`` to ``variants.plan``'s ``video_list`` or ``audio_list``."""
    if not params.collection:
        raise NodeError("choose a collection: set the collection param to its id")
    items = ctx.collection_items(params.collection)
    return {"items": items, "count": len(items)}


@node_type("input.hooks", title="Hooks", category="input",
           outputs=[Port("texts", "json", description="The category's hook texts, oldest first"),
                    Port("count", "number")])
def hooks_input(ctx: Context, params: HooksParams, inputs: dict) -> dict:
    """The hook texts of one of your categories (read when the run reaches this node). Feed
    ``texts`` to ``variants.plan``'s ``hook_list``."""
    if not params.category:
        raise NodeError("choose a hooks category: set the category param")
    texts = ctx.hooks(params.category, params.limit)
    return {"texts": texts, "count": len(texts)}
