"""Asset bytes in an S3 bucket through the ``minio`` client (the distributed mode).

Objects are keyed ``objects/ab/<sha256>``; direct uploads land at
``uploads/<user>/<upload id>`` (with a ``.json`` note beside) through a presigned
PUT and are copied into place by ``complete_upload``. URLs are presigned GETs.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.error import S3Error

from orchestrator.assets import UploadRejected
from orchestrator.assets.base import CHUNK, BaseAssetStore, Discard, copy_hashing, object_key
from orchestrator.assets.sniff import presented
from orchestrator.store.db import Database

MISSING_CODES = {"NoSuchKey", "NoSuchObject", "ResourceNotFound", "NoSuchUpload"}


class _Stream(io.RawIOBase):
    """A minio (urllib3) response as a readable file object."""

    def __init__(self, response) -> None:
        self._response = response

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._response.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def make_client(endpoint: str, access_key: str | None, secret_key: str | None, *, secure: bool,
                region: str | None, timeout: float = 60.0) -> Minio:
    endpoint = endpoint.removeprefix("http://").removeprefix("https://").rstrip("/")
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=10, read=timeout), maxsize=16,
        retries=urllib3.Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))
    # A region given up front spares a GetBucketLocation round trip before every presign.
    return Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=secure,
                 region=region or "us-east-1", http_client=http)


class S3AssetStore(BaseAssetStore):
    def __init__(self, db: Database, client: Minio, bucket: str, *, url_expiry_seconds: int,
                 scratch: Path | None = None, presign_client: Minio | None = None) -> None:
        super().__init__(db, url_expiry_seconds=url_expiry_seconds, scratch=scratch)
        self.client = client
        self.presign_client = presign_client or client
        """Signs the URLs handed to clients: the same server, by the address clients reach it at."""
        self.bucket = bucket
        self._bucket_ready = False

    def ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not self.client.bucket_exists(self.bucket):
            try:
                self.client.make_bucket(self.bucket)
            except S3Error as exc:
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        self._bucket_ready = True

    # -- objects ------------------------------------------------------------------------

    def _exists(self, key: str) -> bool:
        self.ensure_bucket()
        try:
            self.client.stat_object(self.bucket, key)
            return True
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                return False
            raise

    def _object_exists(self, sha256: str) -> bool:
        return self._exists(object_key(sha256))

    def _object_store(self, sha256: str, path: Path, content_type: str, *, owned: bool) -> None:
        self.ensure_bucket()
        # fput_object sends big files as a multipart upload, one part in memory at a time.
        self.client.fput_object(self.bucket, object_key(sha256), str(path), content_type=content_type,
                                part_size=16 * 1024 * 1024)

    @contextmanager
    def _object_open(self, sha256: str) -> Iterator[IO[bytes]]:
        response = self.client.get_object(self.bucket, object_key(sha256))
        try:
            yield io.BufferedReader(_Stream(response), CHUNK)
        finally:
            response.close()
            response.release_conn()

    @contextmanager
    def _object_path(self, sha256: str) -> Iterator[Path]:
        target = self.scratch_dir() / f"dl-{secrets.token_hex(8)}"
        try:
            with self._object_open(sha256) as source, open(target, "wb") as sink:
                copy_hashing(source, sink)
            yield target
        finally:
            target.unlink(missing_ok=True)

    def _object_url(self, ref: dict) -> str:
        media_type, inline = presented(ref.get("content_type"))
        return self.presign_client.presigned_get_object(
            self.bucket, object_key(ref["sha256"]), expires=timedelta(seconds=self.url_expiry_seconds),
            response_headers={"response-content-type": media_type,
                              "response-content-disposition": "inline" if inline else "attachment"})

    def delete_object(self, sha256: str) -> None:
        self.client.remove_object(self.bucket, object_key(sha256))

    def stored_objects(self, *, before: float) -> Iterator[str]:
        self.ensure_bucket()
        for item in self.client.list_objects(self.bucket, prefix="objects/", recursive=True):
            sha = item.object_name.rsplit("/", 1)[-1]
            if len(sha) == 64 and item.last_modified is not None and item.last_modified.timestamp() < before:
                yield sha

    def sweep_uploads(self, *, before: float) -> int:
        self.ensure_bucket()
        removed = 0
        for item in self.client.list_objects(self.bucket, prefix="uploads/", recursive=True):
            if item.last_modified is not None and item.last_modified.timestamp() < before:
                self.client.remove_object(self.bucket, item.object_name)
                removed += item.object_name.endswith(".json")
        return removed

    def check(self) -> None:
        """The store answers and its bucket exists (a fresh install's is created here)."""
        self._bucket_ready = False
        self.ensure_bucket()

    # -- direct uploads -------------------------------------------------------------------

    @staticmethod
    def _upload_keys(user_id: str, upload_id: str) -> tuple[str, str]:
        if not upload_id.startswith("up_") or not upload_id[3:].isalnum():
            raise LookupError(upload_id)
        return f"uploads/{user_id}/{upload_id}", f"uploads/{user_id}/{upload_id}.json"

    def create_upload(self, user_id: str, content_type: str, *, filename: str | None = None) -> dict:
        self.ensure_bucket()
        upload_id = f"up_{secrets.token_hex(12)}"
        data_key, meta_key = self._upload_keys(user_id, upload_id)
        expires_at = int(time.time()) + self.url_expiry_seconds
        note = json.dumps({"content_type": content_type, "filename": filename, "expires_at": expires_at}).encode()
        self.client.put_object(self.bucket, meta_key, io.BytesIO(note), len(note), content_type="application/json")
        expiry = timedelta(seconds=self.url_expiry_seconds)
        return {"upload_id": upload_id, "url": self.presign_client.presigned_put_object(self.bucket, data_key, expires=expiry),
                "method": "PUT", "headers": {"Content-Type": content_type}, "expires_at": expires_at}

    def complete_upload(self, user_id: str, upload_id: str, *, max_bytes: int) -> dict:
        """Claim the upload first (a server-side copy to a key no URL points at: a PUT still
        arriving changes nothing we read), then check and hash the claimed object and copy
        that into place, so the bytes stored under a hash are always the bytes with that hash.
        Presigned PUTs carry no size limit: the size is checked here, and the sweep removes
        uploads never completed."""
        data_key, meta_key = self._upload_keys(user_id, upload_id)
        info = self._note(upload_id, meta_key)
        claimed = f"{data_key}.claimed-{secrets.token_hex(8)}"
        try:
            self.client.copy_object(self.bucket, claimed, CopySource(self.bucket, data_key))
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                raise UploadRejected(f"nothing was uploaded to {upload_id} yet: PUT the file to its URL first",
                                     code="upload_empty", status=409) from None
            raise
        try:
            self.check_claim(upload_id, info, self.client.stat_object(self.bucket, claimed).size, max_bytes)
            sha, size, head = self._hash_object(claimed)
            content_type = self.claimed_type(info, head)
            if not self._object_exists(sha):
                self.client.copy_object(self.bucket, object_key(sha), CopySource(self.bucket, claimed),
                                        metadata={"Content-Type": content_type}, metadata_directive="REPLACE")
            return self.register(user_id, sha, size, content_type, info.get("filename"))
        finally:
            for key in (claimed, data_key, meta_key):
                self.client.remove_object(self.bucket, key)

    def _note(self, upload_id: str, meta_key: str) -> dict:
        try:
            response = self.client.get_object(self.bucket, meta_key)
            try:
                return json.loads(response.read())
            finally:
                response.close()
                response.release_conn()
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                raise LookupError(upload_id) from None
            raise

    def _hash_object(self, key: str) -> tuple[str, int, bytes]:
        response = self.client.get_object(self.bucket, key)
        try:
            return copy_hashing(io.BufferedReader(_Stream(response), CHUNK), Discard())  # type: ignore[arg-type]
        finally:
            response.close()
            response.release_conn()
