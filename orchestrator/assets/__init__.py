"""The asset store: media bytes live here, nodes pass references.

``AssetService`` is the interface the engine and the API use; ``build_asset_service``
picks local files (embedded) or S3 (distributed) from settings.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, Protocol


class AssetService(Protocol):
    def get(self, user_id: str, asset_id: str) -> dict | None:
        """The asset's reference with a fresh URL, or None (unknown, or another user's)."""

    def put_file(self, user_id: str, path: Path, content_type: str, *, filename: str | None = None) -> dict:
        """Store a local file (content-addressed: the same bytes are stored once)."""

    def put_stream(self, user_id: str, stream: IO[bytes], content_type: str, *, filename: str | None = None) -> dict:
        """Store a stream without holding it in memory."""

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
