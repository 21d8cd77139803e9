"""The asset store: media bytes live here, nodes pass references.

``AssetService`` is the interface the engine and the API use; ``build_asset_service``
(``orchestrator.assets.factory``) picks local files (embedded, ``local.py``) or S3
through the ``minio`` client (distributed, ``s3.py``) from settings. Both share the
bookkeeping in ``base.py``: an ``assets`` row per stored asset, bytes addressed by
their SHA-256 so that the same bytes are stored once.

An asset reference is ``{"asset_id", "url", "content_type", "size", "sha256"}``
(plus ``filename`` when known). Its ``url`` expires; ``with_fresh_urls`` signs again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, Protocol


class AssetService(Protocol):
    def get(self, user_id: str, asset_id: str) -> dict | None:
        """The asset's reference with a fresh URL, or None (unknown, or another user's)."""

    def put_file(self, user_id: str, path: Path, content_type: str, *, filename: str | None = None,
                 row: dict | None = None) -> dict:
        """Store a local file (content-addressed: the same bytes are stored once). Without
        ``row``, the user's upload with the same bytes and file name is answered again; with
        it (more column values: a run output's origin and expiry), a new asset is made."""

    def put_stream(self, user_id: str, stream: IO[bytes], content_type: str, *, filename: str | None = None,
                   row: dict | None = None) -> dict:
        """Store a stream without holding it in memory (``row`` as for ``put_file``)."""

    def open(self, ref: dict) -> AbstractContextManager[IO[bytes]]:
        """Stream an asset's bytes."""

    def local_path(self, ref: dict) -> AbstractContextManager[Path]:
        """A local path holding the bytes (a scratch download for remote stores)."""

    def url(self, ref: dict) -> str:
        """A URL that works as it stands until it expires."""

    def with_fresh_urls(self, value: Any) -> Any:
        """``value`` with every asset reference inside it given a fresh URL."""

    def check(self) -> None:
        """Raise when the store does not answer (for /health)."""

    def create_upload(self, user_id: str, content_type: str, *, filename: str | None = None) -> dict:
        """Start a direct upload: ``{"upload_id", "url", "method": "PUT", "headers", "expires_at"}``."""

    def delete_object(self, sha256: str) -> None:
        """Remove the bytes with this SHA-256 (the caller checked that no asset needs them)."""

    def stored_objects(self, *, before: float) -> Iterator[str]:
        """The SHA-256 of every stored object last written before ``before`` (epoch seconds)."""

    def sweep_uploads(self, *, before: float) -> int:
        """Remove direct uploads started before ``before`` and never completed; how many."""

    def complete_upload(self, user_id: str, upload_id: str, *, max_bytes: int) -> dict:
        """Register what was PUT to an upload's URL as an asset; returns its reference.

        Raises ``LookupError`` for an unknown upload (or another user's), ``UploadRejected``
        when nothing was uploaded, the bytes are too large or of the wrong type."""


class UploadRejected(Exception):
    """An upload that cannot become an asset; ``status`` and ``code`` say why for the API."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_upload") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
