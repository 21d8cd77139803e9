"""What both asset stores share: the ``assets`` rows, hashing, references, fresh URLs.

A store subclass only moves bytes: it says whether an object (named by its SHA-256)
exists, stores one from a local file, opens one, and signs a URL for one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from orchestrator.assets.sniff import SNIFF_BYTES
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

    def open(self, ref: dict) -> AbstractContextManager[IO[bytes]]:
        return self._object_open(_sha_of(ref))

    def local_path(self, ref: dict) -> AbstractContextManager[Path]:
        return self._object_path(_sha_of(ref))

    def url(self, ref: dict) -> str:
        return self._object_url(ref)

    def with_fresh_urls(self, value: Any) -> Any:
        if isinstance(value, dict):
            if "asset_id" in value and "sha256" in value:
                return {**value, "url": self._object_url(value)}
            return {key: self.with_fresh_urls(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.with_fresh_urls(item) for item in value]
        return value

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


def _sha_of(ref: dict) -> str:
    sha = ref.get("sha256") if isinstance(ref, dict) else None
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError(f"not an asset reference: {ref!r}")
    return sha


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
