"""The asset store: media bytes live here, nodes pass references.

``AssetService`` is the interface the engine and the API use; ``build_asset_service``
(``orchestrator.assets.factory``) picks local files (embedded, ``local.py``) or S3
through the ``minio`` client (distributed, ``s3.py``) from settings. Both share the
bookkeeping in ``base.py``: an ``assets`` row per stored asset, bytes addressed by
their SHA-256 so that the same bytes are stored once.

An asset reference is ``{"asset_id", "url", "content_type", "size", "sha256"}``
(plus ``filename`` when known). Its ``url`` expires; ``with_fresh_urls`` signs again.

References travel through node outputs and JSON that users and providers write, so
nothing in one is trusted but its ``asset_id``, and that only among the assets of
the user asking: every method that reads bytes or signs a URL takes that user and
looks the id up (a hash is never a permission).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, Protocol

from nodes.sdk import NodeError


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

    def spooled(self, stream: IO[bytes], *, limit: int | None = None
                ) -> AbstractContextManager[tuple[Path, str, int, bytes]]:
        """Copy a stream to a scratch file while hashing it: ``(path, sha256, size, first bytes)``."""

    def put_spooled(self, user_id: str, path: Path, sha256: str, size: int, content_type: str,
                    filename: str | None = None, *, row: dict | None = None) -> dict:
        """Store a scratch file whose hash is known (moved into place when possible; ``row`` as for ``put_file``)."""

    def open(self, user_id: str, ref: dict) -> AbstractContextManager[IO[bytes]]:
        """Stream the bytes of the user's asset ``ref`` names; ``AssetNotFound`` if none."""

    def local_path(self, user_id: str, ref: dict) -> AbstractContextManager[Path]:
        """A local path holding the bytes (a scratch download for remote stores)."""

    def url(self, user_id: str, ref: dict) -> str:
        """A URL for the user's asset that works as it stands until it expires."""

    def reference(self, row) -> dict:
        """The reference (fresh URL included) of an ``assets`` row the caller selected by its owner."""

    def with_fresh_urls(self, user_id: str, value: Any) -> Any:
        """``value`` with every reference to one of the user's assets inside it made whole
        again from the store (fresh URL included); other references lose their ``url``."""

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


class AssetNotFound(NodeError, LookupError):
    """A reference that names no asset of the user (unknown, or another user's).

    A ``NodeError``, so a node that was handed one fails in these words."""


class UploadRejected(Exception):
    """An upload that cannot become an asset; ``status`` and ``code`` say why for the API."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_upload") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
