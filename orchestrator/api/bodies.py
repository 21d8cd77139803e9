"""Request bodies: the small limit every route has, the routes that stream instead, and
the depth check that runs before any handler decodes a body.

Every route takes at most ``FUSIONFLOW_MAX_JSON_BYTES`` (the app's
``request_max_body_size``). Routes declared with ``**STREAMED_BODY`` lift that limit:
they stream the body to disk themselves, under ``FUSIONFLOW_MAX_UPLOAD_BYTES``, after
the caller is known.
"""

from __future__ import annotations

import anyio.to_thread
from litestar import Request

from orchestrator.api.auth import current_user
from orchestrator.api.errors import ApiError
from orchestrator.limits import MAX_JSON_DEPTH, json_depth_exceeds

STREAMED_BODY = {"request_max_body_size": None, "opt": {"streams_body": True}}
"""Route options for a route that streams its body to disk under its own limit."""

_CHECKED_METHODS = frozenset({"POST", "PUT", "PATCH"})


async def check_body(request: Request) -> None:
    """``before_request`` for requests with a body: the caller is known before the body is
    read (a wrong key is a 401 without it), and a body nested deeper than ``MAX_JSON_DEPTH``
    is a 400 before any decoder recurses into it (so it can neither crash a handler nor be
    written)."""
    if request.method not in _CHECKED_METHODS or request.route_handler.opt.get("streams_body"):
        return None
    if "user_id" in request.route_handler.parsed_fn_signature.parameters:
        await anyio.to_thread.run_sync(current_user, request, request.app.state.services)
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        return None
    body = await request.body()  # bounded by the route's body limit (413 past it)
    if body and await anyio.to_thread.run_sync(json_depth_exceeds, body):
        raise ApiError(f"the JSON body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels",
                       code="too_deep")
    return None
