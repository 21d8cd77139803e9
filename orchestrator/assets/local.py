"""Asset bytes as files under ``FUSIONFLOW_HOME/assets`` (the embedded mode).

Layout: ``objects/ab/<sha256>`` (content-addressed, written once, atomically),
``uploads/<user>/<upload id>`` (+ ``.json``) for direct uploads, ``tmp/`` for spooling.
URLs point at the API's own routes, signed with an HMAC and an expiry.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from orchestrator.assets import UploadRejected
from orchestrator.assets.base import BaseAssetStore, hash_file, move_or_copy, object_key
from orchestrator.assets.signing import Signer, base_url
from orchestrator.assets.sniff import SNIFF_BYTES, reconcile
from orchestrator.store.db import Database

CONTENT = "content"
UPLOAD = "upload"


class LocalAssetStore(BaseAssetStore):
    def __init__(self, db: Database, root: Path, signer: Signer, *, url_expiry_seconds: int) -> None:
        self.root = Path(root)
        super().__init__(db, url_expiry_seconds=url_expiry_seconds, scratch=self.root / "tmp")
        self.signer = signer
        for sub in ("objects", "uploads", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    # -- objects ------------------------------------------------------------------------

    def path_of(self, sha256: str) -> Path:
        return self.root / object_key(sha256)

    def put_file(self, user_id: str, path: Path, content_type: str, *, filename: str | None = None,
                 row: dict | None = None) -> dict:
        """One pass: copy into ``tmp/`` while hashing, then rename into place (a second
        pass to hash first would read a 1 GB output twice)."""
        with open(path, "rb") as source:
            return self.put_stream(user_id, source, content_type, filename=filename, row=row)

    def _object_exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def _object_store(self, sha256: str, path: Path, content_type: str, *, owned: bool) -> None:
        move_or_copy(path, self.path_of(sha256), owned=owned)

    @contextmanager
    def _object_open(self, sha256: str) -> Iterator[IO[bytes]]:
        with open(self.path_of(sha256), "rb") as handle:
            yield handle

    @contextmanager
    def _object_path(self, sha256: str) -> Iterator[Path]:
        yield self.path_of(sha256)  # read-only: objects are shared by every asset with these bytes

    def _object_url(self, ref: dict) -> str:
        asset_id = ref["asset_id"]
        return f"{base_url()}/api/assets/{asset_id}/content?" + self.signer.query(CONTENT, asset_id,
                                                                                 self.url_expiry_seconds)

    def delete_object(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)

    def stored_objects(self, *, before: float) -> Iterator[str]:
        for path in (self.root / "objects").glob("*/*"):
            if len(path.name) == 64 and path.stat().st_mtime < before:
                yield path.name

    def sweep_uploads(self, *, before: float) -> int:
        removed = 0
        for meta in (self.root / "uploads").glob("*/up_*.json"):
            if meta.stat().st_mtime < before:
                meta.with_suffix("").unlink(missing_ok=True)
                meta.unlink(missing_ok=True)
                removed += 1
        return removed

    def check(self) -> None:
        probe = self.root / "tmp" / f".health-{secrets.token_hex(4)}"
        probe.write_bytes(b"ok")
        probe.unlink()

    def content(self, asset_id: str, expires: str | None, signature: str | None) -> tuple[Path, object] | str:
        """The file behind a signed content URL and the asset's row, or why it cannot be served."""
        problem = self.signer.verify(CONTENT, asset_id, expires, signature)
        if problem:
            return problem
        row = self.row(asset_id)
        if row is None or not self._object_exists(row.sha256):
            return "no such asset"
        return self.path_of(row.sha256), row

    # -- direct uploads -------------------------------------------------------------------

    def _upload_paths(self, user_id: str, upload_id: str) -> tuple[Path, Path]:
        if not upload_id.startswith("up_") or not upload_id[3:].isalnum():
            raise LookupError(upload_id)
        folder = self.root / "uploads" / user_id
        return folder / upload_id, folder / f"{upload_id}.json"

    def create_upload(self, user_id: str, content_type: str, *, filename: str | None = None) -> dict:
        upload_id = f"up_{secrets.token_hex(12)}"
        data, meta = self._upload_paths(user_id, upload_id)
        meta.parent.mkdir(parents=True, exist_ok=True)
        expires_at = int(time.time()) + self.url_expiry_seconds
        meta.write_text(json.dumps({"content_type": content_type, "filename": filename, "user_id": user_id,
                                    "expires_at": expires_at}))
        subject = f"{user_id}/{upload_id}"
        url = f"{base_url()}/api/assets/uploads/{upload_id}/content?" + "&".join(
            [f"user={user_id}", self.signer.query(UPLOAD, subject, self.url_expiry_seconds)])
        return {"upload_id": upload_id, "url": url, "method": "PUT", "headers": {"Content-Type": content_type},
                "expires_at": expires_at}

    def receive_upload(self, user_id: str, upload_id: str, expires: str | None, signature: str | None) -> Path | str:
        """Where the body of a signed upload PUT goes, or why it is refused."""
        problem = self.signer.verify(UPLOAD, f"{user_id}/{upload_id}", expires, signature)
        if problem:
            return problem
        try:
            data, meta = self._upload_paths(user_id, upload_id)
        except LookupError:
            return "no such upload"
        return data if meta.exists() else "no such upload"

    def complete_upload(self, user_id: str, upload_id: str, *, max_bytes: int) -> dict:
        data, meta = self._upload_paths(user_id, upload_id)
        if not meta.exists():
            raise LookupError(upload_id)
        info = json.loads(meta.read_text())
        if not data.exists():
            raise UploadRejected(f"nothing was uploaded to {upload_id} yet: PUT the file to its URL first",
                                 code="upload_empty", status=409)
        try:
            size = data.stat().st_size
            if size > max_bytes:
                raise UploadRejected(f"the upload is {size} bytes; the limit is {max_bytes}",
                                     code="too_large", status=413)
            with open(data, "rb") as source:
                head = source.read(SNIFF_BYTES)
            content_type, problem = reconcile(info.get("content_type"), head)
            if problem:
                raise UploadRejected(problem, code="unsupported_media_type", status=415)
            sha, size = hash_file(data)
            if not self._object_exists(sha):
                self._object_store(sha, data, content_type, owned=True)
            return self.register(user_id, sha, size, content_type, info.get("filename"))
        finally:
            data.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
