"""Asset bytes as files under ``FUSIONFLOW_HOME/assets`` (the embedded mode).

Layout: ``objects/ab/<sha256>`` (content-addressed, written once, atomically),
``uploads/<user>/<upload id>`` (+ ``.json``) for direct uploads, ``tmp/`` for spooling.
URLs point at the API's own routes, signed with an HMAC and an expiry.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from nodes.sdk import NodeError
from orchestrator.assets import UploadRejected
from orchestrator.assets.base import BaseAssetStore, hash_file, move_or_copy, object_key, read_head
from orchestrator.assets.signing import Signer, base_url, private_dir
from orchestrator.store.db import Database

CONTENT = "content"
UPLOAD = "upload"


class LocalAssetStore(BaseAssetStore):
    def __init__(self, db: Database, root: Path, signer: Signer, *, url_expiry_seconds: int,
                 public_url: str | None = None) -> None:
        self.root = Path(root)
        super().__init__(db, url_expiry_seconds=url_expiry_seconds, scratch=self.root / "tmp")
        self.signer = signer
        self.public_url = public_url
        """``FUSIONFLOW_PUBLIC_URL``: the base of URLs signed outside a request."""
        for sub in ("objects", "uploads", "tmp"):
            private_dir(self.root / sub)
        private_dir(self.root)

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
        return f"{base_url(self.public_url)}/api/assets/{asset_id}/content?" + self.signer.query(CONTENT, asset_id,
                                                                                 self.url_expiry_seconds)

    def url(self, user_id: str, ref: dict) -> str:
        """For a node to hand a provider: absolute, from ``FUSIONFLOW_PUBLIC_URL`` outside a request."""
        url = super().url(user_id, ref)
        if not url.startswith(("http://", "https://")):
            raise NodeError("set FUSIONFLOW_PUBLIC_URL to the address this server is reached at, so that "
                            "providers can fetch input assets from it")
        return url

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
        url = f"{base_url(self.public_url)}/api/assets/uploads/{upload_id}/content?" + "&".join(
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
        """Claim the upload's file first (a rename: a PUT still arriving makes a new file
        that nobody reads), then check and hash the claimed file and move that into place,
        so the bytes stored under a hash are always the bytes with that hash."""
        data, meta = self._upload_paths(user_id, upload_id)
        if not meta.exists():
            raise LookupError(upload_id)
        info = json.loads(meta.read_text())
        claimed = self.scratch_dir() / f"claim-{secrets.token_hex(8)}"
        try:
            os.replace(data, claimed)
        except FileNotFoundError:
            raise UploadRejected(f"nothing was uploaded to {upload_id} yet: PUT the file to its URL first",
                                 code="upload_empty", status=409) from None
        try:
            self.check_claim(upload_id, info, claimed.stat().st_size, max_bytes)
            content_type = self.claimed_type(info, read_head(claimed))
            sha, size = hash_file(claimed)
            return self.put_spooled(user_id, claimed, sha, size, content_type, info.get("filename"))
        finally:
            for path in (claimed, data, meta):
                path.unlink(missing_ok=True)
