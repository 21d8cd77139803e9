"""The hooks library (contract section 11): caption texts in categories; imports of many."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import Parameter

from orchestrator.api.state import Services
from orchestrator.api.errors import ApiError
from orchestrator.library.hooks import csv_rows, plain_lines

MAX_IMPORT_BYTES = 10 * 1024 * 1024


class HookCreate(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    category: str | None = None


class HookImport(msgspec.Struct, forbid_unknown_fields=True):
    texts: list[str]
    category: str | None = None


async def _body(request: Request) -> bytes:
    """The request body, refused past ``MAX_IMPORT_BYTES`` without reading the rest."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise ApiError(f"an import is at most {MAX_IMPORT_BYTES} bytes: split it", code="too_large", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(f"the body is not UTF-8 text (byte {exc.start})", code="invalid_body") from None


class HookController(Controller):
    path = "/api/hooks"
    tags = ["library"]

    @post("/", status_code=201, sync_to_thread=True, summary="Add a hook")
    def create(self, data: HookCreate, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.hooks.create(user_id, data.text, data.category)

    @post("/import", status_code=201, summary="Import hooks: JSON {texts, category}, text/plain lines, or text/csv",
          description="All or nothing: the first empty or over-long hook is a 422 invalid_hook with its line.")
    async def import_hooks(self, request: Request, services: Services, user_id: str,
                           category: Annotated[str | None, Parameter(max_length=100)] = None) -> dict[str, Any]:
        media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        body = await _body(request)
        if media_type == "text/plain":
            rows = [(line, category) for line in plain_lines(_text(body))]
        elif media_type in ("text/csv", "application/csv"):
            rows = csv_rows(_text(body), category)
        elif media_type == "application/json":
            try:
                data = msgspec.json.decode(body, type=HookImport)
            except msgspec.ValidationError as exc:
                raise ApiError(f"the body is not {{\"texts\": [...], \"category\"?}}: {exc}", code="invalid_body") from None
            except msgspec.DecodeError as exc:
                raise ApiError(f"the body is not JSON: {exc}", code="invalid_body") from None
            rows = [(text, data.category or category) for text in data.texts]
        else:
            raise ApiError(f"send application/json, text/plain or text/csv, not {media_type}",
                           code="unsupported_media_type", status=415)
        return await anyio.to_thread.run_sync(services.library.hooks.import_rows, user_id, rows)

    @get("/", sync_to_thread=True, summary="List or search hooks, newest first")
    def list_hooks(self, services: Services, user_id: str, category: str | None = None,
                   q: Annotated[str | None, Parameter(max_length=200)] = None,
                   limit: Annotated[int, Parameter(ge=1, le=200)] = 50, cursor: str | None = None) -> dict[str, Any]:
        return services.library.hooks.list(user_id, category=category, q=q, limit=limit, cursor=cursor)

    @get("/categories", sync_to_thread=True, summary="Hook categories with their counts")
    def categories(self, services: Services, user_id: str) -> dict[str, Any]:
        return services.library.hooks.categories(user_id)

    @delete("/{hook_id:str}", status_code=204, sync_to_thread=True, summary="Delete a hook")
    def remove(self, hook_id: str, services: Services, user_id: str) -> None:
        services.library.hooks.delete(user_id, hook_id)
