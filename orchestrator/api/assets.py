"""Assets (contract section 7): uploads, references, and the local store's content routes.

- ``POST /api/assets``: multipart (field ``file``) or a raw body with its Content-Type.
  The body is streamed to a scratch file while it is hashed, never held in memory; the
  type is sniffed from the bytes and must agree with the declared one; over
  ``FUSIONFLOW_MAX_UPLOAD_BYTES`` it is a 413 and nothing is stored.
- ``GET /api/assets/{id}``: the reference with a fresh URL.
- ``POST /api/assets/uploads`` / ``POST /api/assets/uploads/{id}/complete``: direct uploads
  (a presigned S3 PUT, or the local store's signed PUT route) for big files from a browser.
- ``GET /api/assets/{id}/content`` and ``PUT /api/assets/uploads/{id}/content``: the local
  store's signed routes (no bearer key: the signature is the permission), with Range support.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import msgspec
from litestar import Request, Response, get, post, put, route
from litestar.exceptions import HTTPException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.response import Stream
from litestar.types import ASGIApp, Receive, Scope, Send
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from orchestrator.assets import UploadRejected
from orchestrator.assets.local import LocalAssetStore
from orchestrator.assets.signing import REQUEST_BASE_URL, remember_base_url
from orchestrator.assets.base import read_head
from orchestrator.assets.sniff import SNIFF_BYTES, reconcile, served_type
from orchestrator.api.bodies import STREAMED_BODY
from orchestrator.api.state import Services
from orchestrator.api.errors import ApiError
from orchestrator.errors import NotFound
from orchestrator.limits import parse_int

WRITE_BATCH = 1024 * 1024
"""Received bytes are written to the scratch file in batches of about this size."""
READ_CHUNK = 256 * 1024


def base_url_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: remember ``scheme://host`` of each request, so that local asset
    URLs signed while serving it point back at this server as the client reached it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
        if host is None and scope.get("server"):
            host = "%s:%s" % tuple(scope["server"])
        token = remember_base_url(f"{scope.get('scheme', 'http')}://{host}") if host else None
        try:
            await app(scope, receive, send)
        finally:
            if token is not None:
                REQUEST_BASE_URL.reset(token)

    return middleware


def _store(services: Services):
    store = services.runtime.assets
    if store is None:
        raise ApiError("no asset store is configured", code="no_storage", status=503)
    return store


# -- uploads through the API ------------------------------------------------------------------


class _Spool:
    """A scratch file that received bytes go to, hashed on the way, size-limited."""

    def __init__(self, directory: Path, limit: int) -> None:
        fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
        self.handle = os.fdopen(fd, "wb")
        self.path = Path(name)
        self.limit = limit
        self.size = 0
        self.head = b""
        self.digest = hashlib.sha256()
        self._pending: list[bytes] = []
        self._pending_size = 0

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise ApiError(f"the upload is larger than the limit of {self.limit} bytes "
                           "(FUSIONFLOW_MAX_UPLOAD_BYTES)", code="too_large", status=413)
        if len(self.head) < SNIFF_BYTES:
            self.head += data[:SNIFF_BYTES - len(self.head)]
        self._pending.append(data)
        self._pending_size += len(data)
        if self._pending_size >= WRITE_BATCH:
            await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        batch = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        await anyio.to_thread.run_sync(self._write_batch, batch)

    def _write_batch(self, batch: bytes) -> None:
        self.digest.update(batch)
        self.handle.write(batch)

    def close(self) -> None:
        self.handle.close()

    def discard(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.I)


def _check_declared_size(request: Request, limit: int) -> None:
    """A 413 at once for a body whose Content-Length is over ``limit`` (nothing is read)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and len(declared) < 20 and int(declared) > limit:
        raise ApiError(f"the upload is larger than the limit of {limit} bytes (FUSIONFLOW_MAX_UPLOAD_BYTES)",
                       code="too_large", status=413)


async def _receive(request: Request, spool: _Spool) -> tuple[str | None, str | None]:
    """Stream the request body into ``spool``: ``(declared content type, filename)``."""
    _check_declared_size(request, spool.limit)
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        async for chunk in request.stream():
            if chunk:
                await spool.write(chunk)
        if spool.size == 0:
            raise ApiError("the body is empty: send the file as the body, or as multipart field 'file'",
                           code="empty_upload")
        return content_type or None, request.headers.get("x-filename")
    match = _BOUNDARY.search(content_type)
    if not match:
        raise ApiError("multipart body without a boundary", code="invalid_body")
    found, declared, filename, current = False, None, None, None
    try:
        with PushMultipartParser(match.group(1), max_segment_count=64) as parser:
            async for chunk in request.stream():
                for item in parser.parse(chunk):
                    if isinstance(item, MultipartSegment):
                        current = item.name == "file" and not found
                        if current:
                            found, declared, filename = True, item.content_type, item.filename
                    elif item is None:
                        current = False
                    elif current:
                        await spool.write(bytes(item))
    except MultipartError as exc:
        raise ApiError(f"the multipart body is malformed: {exc}", code="invalid_body") from None
    if not found:
        raise ApiError("no file: send it in the multipart field 'file'", code="missing_file")
    return declared, filename


@post("/api/assets", status_code=201, tags=["assets"], summary="Upload an asset (multipart field 'file', or raw body)",
      **STREAMED_BODY)
async def upload(request: Request, services: Services, user_id: str) -> dict[str, Any]:
    store = _store(services)
    spool = _Spool(store.scratch_dir(), services.runtime.settings.max_upload_bytes)
    try:
        try:
            declared, filename = await _receive(request, spool)
        except RequestEntityTooLarge:
            raise ApiError(f"the upload is larger than the limit of {spool.limit} bytes (FUSIONFLOW_MAX_UPLOAD_BYTES)",
                           code="too_large", status=413) from None
        await spool.flush()
        spool.close()
        stored_type, problem = reconcile(declared, spool.head)
        if problem:
            raise ApiError(problem, code="unsupported_media_type", status=415)
        return await anyio.to_thread.run_sync(
            lambda: services.library.assets.accept_upload(user_id, spool.path, spool.digest.hexdigest(), spool.size,
                                                          stored_type, _clean_filename(filename)))
    finally:
        spool.discard()


def _clean_filename(name: str | None) -> str | None:
    if not name:
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:200] or None


@get("/api/assets/{asset_id:str}", sync_to_thread=True, tags=["assets"], summary="An asset's reference, with a fresh URL")
def get_asset(asset_id: str, services: Services, user_id: str) -> dict[str, Any]:
    ref = _store(services).get(user_id, asset_id)
    if ref is None:
        raise NotFound(f"asset {asset_id} does not exist")
    return ref


# -- direct uploads ------------------------------------------------------------------------------


class UploadCreate(msgspec.Struct, forbid_unknown_fields=True):
    content_type: str
    filename: str | None = None


@post("/api/assets/uploads", status_code=201, sync_to_thread=True, tags=["assets"],
      summary="Start a direct upload: PUT the file to the returned URL, then complete it")
def create_upload(data: UploadCreate, services: Services, user_id: str) -> dict[str, Any]:
    return _store(services).create_upload(user_id, data.content_type, filename=_clean_filename(data.filename))


@post("/api/assets/uploads/{upload_id:str}/complete", status_code=201, sync_to_thread=True, tags=["assets"],
      summary="Register a direct upload as an asset")
def complete_upload(upload_id: str, services: Services, user_id: str) -> dict[str, Any]:
    try:
        ref = _store(services).complete_upload(user_id, upload_id, max_bytes=services.runtime.settings.max_upload_bytes)
    except LookupError:
        raise NotFound(f"upload {upload_id} does not exist") from None
    except UploadRejected as exc:
        raise ApiError(exc.message, code=exc.code, status=exc.status) from None
    return services.library.assets.accept_direct_upload(user_id, ref)


@put("/api/assets/uploads/{upload_id:str}/content", status_code=200, tags=["assets"],
     summary="The local store's signed upload target (what a presigned PUT is for S3)", **STREAMED_BODY)
async def put_upload(upload_id: str, request: Request, services: Services, user: str = "",
                     expires: str | None = None, signature: str | None = None) -> Response[None]:
    store = _local(services)
    target = await anyio.to_thread.run_sync(store.receive_upload, user, upload_id, expires, signature)
    if isinstance(target, str):
        raise ApiError(target, code="forbidden", status=403 if target != "no such upload" else 404)
    spool = _Spool(store.scratch_dir(), services.runtime.settings.max_upload_bytes)
    try:
        _check_declared_size(request, spool.limit)
        async for chunk in request.stream():
            if chunk:
                await spool.write(chunk)
        await spool.flush()
        spool.close()
        os.replace(spool.path, target)
    finally:
        spool.discard()
    return Response(None, status_code=200)


def _local(services: Services) -> LocalAssetStore:
    store = _store(services)
    if not isinstance(store, LocalAssetStore):
        raise NotFound("this server keeps assets in S3: use the asset's presigned URL")
    return store


# -- content (local store) --------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` (inclusive) of a single ``Range: bytes=…``, None for the whole file.
    Raises ``HTTPException(416)`` (with ``Content-Range: bytes */size``) for a range outside
    the file, ``InvalidRequest`` (400) for a number past 2^63-1."""
    if not header:
        return None
    match = _RANGE.match(header.split(",")[0].strip())
    if not match or match.groups() == ("", ""):
        return None  # not a form we serve: the whole file (allowed by RFC 9110)
    first, last = (parse_int(part, "a Range position") if part else None for part in match.groups())
    unsatisfiable = {"Content-Range": f"bytes */{size}"}
    if first is None:
        if last == 0:
            raise HTTPException(status_code=416, detail="empty suffix range", headers=unsatisfiable)
        return max(0, size - last), size - 1
    end = min(last, size - 1) if last is not None else size - 1
    if first >= size or end < first:
        raise HTTPException(status_code=416, detail=f"range outside the {size} bytes of the asset",
                            headers=unsatisfiable)
    return first, end


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(READ_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@route("/api/assets/{asset_id:str}/content", http_method=["GET", "HEAD"], sync_to_thread=True, tags=["assets"],
       summary="An asset's bytes (local store; signed URL, Range supported)")
def content(asset_id: str, request: Request, services: Services, expires: str | None = None,
            signature: str | None = None) -> Stream | Response:
    store = _local(services)
    found = store.content(asset_id, expires, signature)
    if isinstance(found, str):
        if found == "no such asset":
            raise NotFound(f"asset {asset_id} does not exist")
        raise ApiError(found, code="forbidden", status=403)
    path, row = found
    size = path.stat().st_size
    wanted = _byte_range(request.headers.get("range"), size)
    start, end = wanted if wanted else (0, size - 1)
    length = end - start + 1 if size else 0
    media_type, inline = served_type(row.content_type, read_head(path))
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(length), "ETag": f'"{row.sha256}"',
               "Cache-Control": "private, max-age=3600", **UNTRUSTED_CONTENT,
               "Content-Disposition": _disposition(inline, row.filename)}
    status = 200
    if wanted:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    if request.method == "HEAD":
        return Response(b"", status_code=status, headers=headers, media_type=media_type)
    return Stream(_read(path, start, length), status_code=status, headers=headers, media_type=media_type)


UNTRUSTED_CONTENT = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}
"""Headers on every file served: the browser takes the type as given and runs nothing in it,
whoever made the bytes (a user's upload, a provider's result)."""


def _disposition(inline: bool, filename: str | None) -> str:
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename*=UTF-8''{_quote(filename)}" if filename else kind


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


ROUTES: list = [upload, get_asset, create_upload, complete_upload, put_upload, content]
