"""What both asset stores share: the ``assets`` rows, hashing, references, fresh URLs.

A store subclass only moves bytes: it says whether an object (named by its SHA-256)
exists, stores one from a local file, opens one, and signs a URL for one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from orchestrator.assets import AssetNotFound, UploadRejected
from orchestrator.assets.sniff import SNIFF_BYTES, reconcile, stored_type
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import assets

CHUNK = 1024 * 1024
"""Bytes per read when copying or hashing: memory never grows with the file."""


def object_key(sha256: str) -> str:
    """Where the bytes with this SHA-256 live, relative to the store's root."""
    return f"objects/{sha256[:2]}/{sha256}"


def copy_hashing(source: IO[bytes], target: IO[bytes], *, limit: int | None = None) -> tuple[str, int, bytes]:
    """Copy ``source`` to ``target`` in chunks: ``(sha256, size, first bytes)``.

    Raises ``OverflowError`` as soon as more than ``limit`` bytes went by."""
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise OverflowError(size)
        if len(head) < SNIFF_BYTES:
            head += chunk[:SNIFF_BYTES - len(head)]
        digest.update(chunk)
        target.write(chunk)
    return digest.hexdigest(), size, head


class Discard:
    """A write-only sink that keeps nothing (hash a stream with ``copy_hashing``)."""

    def write(self, data: bytes) -> int:
        return len(data)


def read_head(path: Path) -> bytes:
    """The first bytes of a file, enough to tell its type (``sniff``)."""
    with open(path, "rb") as source:
        return source.read(SNIFF_BYTES)


def hash_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as source:
        sha, size, _ = copy_hashing(source, Discard())  # type: ignore[arg-type]
    return sha, size


class BaseAssetStore:
    """Rows and references; subclasses supply the ``_object_*`` methods."""

    def __init__(self, db: Database, *, url_expiry_seconds: int, scratch: Path | None = None) -> None:
        self.db = db
        self.url_expiry_seconds = url_expiry_seconds
        self.scratch = scratch

    # -- what a store implements ------------------------------------------------------

    def _object_exists(self, sha256: str) -> bool:
        raise NotImplementedError

    def _object_store(self, sha256: str, path: Path, content_type: str, *, owned: bool) -> None:
        """Store the file at ``path`` as object ``sha256``; ``owned``: the file may be moved."""
        raise NotImplementedError

    def _object_open(self, sha256: str) -> AbstractContextManager[IO[bytes]]:
        raise NotImplementedError

    def _object_path(self, sha256: str) -> AbstractContextManager[Path]:
        raise NotImplementedError

    def _object_url(self, ref: dict) -> str:
        raise NotImplementedError

    # -- the AssetService interface ----------------------------------------------------

    def get(self, user_id: str, asset_id: str) -> dict | None:
        with self.db.read() as conn:
            row = conn.execute(select(assets).where(assets.c.id == asset_id, assets.c.user_id == user_id)).first()
        return self._ref(row) if row is not None else None

    def put_file(self, user_id: str, path: Path, content_type: str, *, filename: str | None = None,
                 row: dict | None = None) -> dict:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is not a file")
        sha, size = hash_file(path)
        content_type = stored_type(content_type, read_head(path))
        if not self._object_exists(sha):
            self._object_store(sha, path, content_type, owned=False)
        return self.register(user_id, sha, size, content_type, filename, row=row)

    def put_stream(self, user_id: str, stream: IO[bytes], content_type: str, *, filename: str | None = None,
                   row: dict | None = None) -> dict:
        with self.spooled(stream) as (path, sha, size, _head):
            return self.put_spooled(user_id, path, sha, size, content_type, filename, row=row)

    def put_spooled(self, user_id: str, path: Path, sha256: str, size: int, content_type: str,
                    filename: str | None = None, *, row: dict | None = None) -> dict:
        """Store a scratch file whose hash is already known (moved into place when possible)."""
        content_type = stored_type(content_type, read_head(path))
        if not self._object_exists(sha256):
            self._object_store(sha256, path, content_type, owned=True)
        return self.register(user_id, sha256, size, content_type, filename, row=row)

    @contextmanager
    def spooled(self, stream: IO[bytes], *, limit: int | None = None) -> Iterator[tuple[Path, str, int, bytes]]:
        """Copy a stream to a scratch file while hashing it: ``(path, sha256, size, head)``.
        The file is gone afterwards (unless the store moved it into place)."""
        fd, name = tempfile.mkstemp(prefix="spool-", dir=self.scratch_dir())
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as target:
                sha, size, head = copy_hashing(stream, target, limit=limit)
            yield path, sha, size, head
        finally:
            path.unlink(missing_ok=True)

    def scratch_dir(self) -> Path:
        directory = self.scratch or Path(tempfile.gettempdir())
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def open(self, user_id: str, ref: dict) -> AbstractContextManager[IO[bytes]]:
        return self._object_open(self.owned_row(user_id, ref).sha256)

    def local_path(self, user_id: str, ref: dict) -> AbstractContextManager[Path]:
        return self._object_path(self.owned_row(user_id, ref).sha256)

    def url(self, user_id: str, ref: dict) -> str:
        return self._ref(self.owned_row(user_id, ref))["url"]

    def with_fresh_urls(self, user_id: str, value: Any) -> Any:
        ids = {ref["asset_id"] for ref in iter_refs(value)}
        owned = {}
        if ids:
            with self.db.read() as conn:
                owned = {row.id: self._ref(row) for row in conn.execute(select(assets).where(
                    assets.c.id.in_(sorted(ids)), assets.c.user_id == user_id))}
        return _replace_refs(value, owned)

    def reference(self, row) -> dict:
        """The reference (fresh URL included) of an ``assets`` row the caller selected by its owner
        (anything with its ``id``, ``content_type``, ``size``, ``sha256`` and ``filename``)."""
        return self._ref_from({"id": row.id, "content_type": row.content_type, "size": row.size,
                               "sha256": row.sha256, "filename": row.filename})

    def owned_row(self, user_id: str, ref: Any):
        """The row of the user's asset that ``ref`` names by its ``asset_id``; nothing
        else in ``ref`` counts. Raises ``AssetNotFound``."""
        asset_id = ref.get("asset_id") if isinstance(ref, dict) else None
        if not isinstance(asset_id, str):
            raise AssetNotFound(f"{str(ref)[:100]} is not an asset reference")
        with self.db.read() as conn:
            row = conn.execute(select(assets).where(assets.c.id == asset_id, assets.c.user_id == user_id)).first()
        if row is None:
            raise AssetNotFound(f"asset {asset_id[:64]} does not exist")
        return row

    # -- direct uploads: what both stores check -----------------------------------------------

    @staticmethod
    def check_claim(upload_id: str, info: dict, size: int, max_bytes: int) -> None:
        """``UploadRejected`` for a claimed upload past its expiry, or too large."""
        if time.time() > float(info.get("expires_at") or 0):
            raise UploadRejected(f"upload {upload_id} expired: start a new one", code="upload_expired", status=410)
        if size > max_bytes:
            raise UploadRejected(f"the upload is {size} bytes; the limit is {max_bytes}", code="too_large", status=413)

    @staticmethod
    def claimed_type(info: dict, head: bytes) -> str:
        """The type to store a claimed upload under, or ``UploadRejected`` for bytes that
        are not what the upload said they would be."""
        content_type, problem = reconcile(info.get("content_type"), head)
        if problem:
            raise UploadRejected(problem, code="unsupported_media_type", status=415)
        return content_type

    # -- rows ---------------------------------------------------------------------------

    def register(self, user_id: str, sha256: str, size: int, content_type: str, filename: str | None,
                 *, row: dict | None = None) -> dict:
        """The user's uploaded asset with these bytes, type and file name, else a new one.

        ``row``: more column values for the new row (a run's output: its origin and expiry);
        with it, a new row is always made."""
        if row is None:
            with self.db.read() as conn:
                found = conn.execute(select(assets).where(
                    assets.c.user_id == user_id, assets.c.sha256 == sha256, assets.c.content_type == content_type,
                    assets.c.filename.is_(None) if filename is None else assets.c.filename == filename,
                    assets.c.origin_run_id.is_(None), assets.c.poster_of.is_(None),
                ).order_by(assets.c.id).limit(1)).first()
            if found is not None:
                return self._ref(found)
        values = {**(row or {}), "id": new_id("a"), "user_id": user_id, "sha256": sha256,
                  "content_type": content_type, "size": size, "filename": filename, "created_at": now_iso()}
        with self.db.write() as conn:
            conn.execute(assets.insert().values(**values))
        return self._ref_from(values)

    def row(self, asset_id: str):
        """An asset's row whoever owns it (for signed content URLs), or None."""
        with self.db.read() as conn:
            return conn.execute(select(assets).where(assets.c.id == asset_id)).first()

    def _ref(self, row) -> dict:
        return self._ref_from(row._mapping)

    def _ref_from(self, values) -> dict:
        ref = {"asset_id": values["id"], "content_type": values["content_type"], "size": values["size"],
               "sha256": values["sha256"]}
        if values.get("filename"):
            ref["filename"] = values["filename"]
        ref["url"] = self._object_url(ref)
        return ref


def iter_refs(value: Any) -> Iterator[dict]:
    """Every asset reference (a dict with a string ``asset_id``) inside a JSON value."""
    if isinstance(value, dict):
        if isinstance(value.get("asset_id"), str):
            yield value
            return
        for item in value.values():
            yield from iter_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_refs(item)


def _replace_refs(value: Any, owned: dict[str, dict]) -> Any:
    """``value`` with each reference to an asset in ``owned`` made whole from the store
    (its own keys kept beside), and every other reference stripped of its ``url``."""
    if isinstance(value, dict):
        asset_id = value.get("asset_id")
        if isinstance(asset_id, str):
            if asset_id in owned:
                return {**value, **owned[asset_id]}
            return {key: item for key, item in value.items() if key != "url"}
        return {key: _replace_refs(item, owned) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_refs(item, owned) for item in value]
    return value


def move_or_copy(path: Path, target: Path, *, owned: bool) -> None:
    """Put ``path``'s bytes at ``target`` atomically (rename when we own the file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if owned:
        os.replace(path, target)
        return
    fd, name = tempfile.mkstemp(prefix=".in-", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(path, name)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
