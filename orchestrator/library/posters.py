"""Poster images for videos: the first frame as a JPEG, made in the background.

A poster is an asset of its own (``poster_of`` names its video; the video's
``poster_id`` names it), with the video's origin and expiry. ``schedule`` hands the
work to a small pool of threads so that an upload answers at once; the retention
sweep calls ``backfill`` for videos whose poster was lost with a stopped process.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select, update

from orchestrator.assets import AssetService
from orchestrator.library.media_info import poster_frame, probe
from orchestrator.store.db import Database
from orchestrator.store.models import assets

log = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> ThreadPoolExecutor:
    """One small pool per process, made on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ff-poster")
        return _pool


class PosterMaker:
    def __init__(self, db: Database, store: AssetService) -> None:
        self.db = db
        self.store = store

    def schedule(self, user_id: str, asset_id: str) -> None:
        _shared_pool().submit(self._make_logged, user_id, asset_id)

    def _make_logged(self, user_id: str, asset_id: str) -> None:
        try:
            self.make(user_id, asset_id)
        except Exception:
            log.exception("could not make the poster of %s", asset_id)

    def make(self, user_id: str, asset_id: str) -> str | None:
        """Make the video's poster unless it has one; the poster's asset id, or None."""
        with self.db.read() as conn:
            video = conn.execute(select(assets).where(assets.c.id == asset_id, assets.c.user_id == user_id)).first()
        if video is None or video.poster_id:
            return None
        ref = {"asset_id": video.id, "sha256": video.sha256, "content_type": video.content_type, "size": video.size}
        with tempfile.TemporaryDirectory(prefix="ff-poster-") as scratch:
            target = Path(scratch) / "poster.jpg"
            with self.store.local_path(user_id, ref) as local:
                if not poster_frame(local, target):
                    return None
            stem = Path(video.name or video.filename or video.id).stem
            poster = self.store.put_file(user_id, target, "image/jpeg", filename=f"{stem}-poster.jpg", row={
                "poster_of": video.id, "origin_run_id": video.origin_run_id, "origin_node_id": video.origin_node_id,
                "expires_at": video.expires_at, "metadata": probe(target, "image/jpeg") or {}})
        with self.db.write() as conn:
            linked = conn.execute(update(assets).where(assets.c.id == video.id, assets.c.poster_id.is_(None))
                                  .values(poster_id=poster["asset_id"])).rowcount
            if not linked:  # deleted meanwhile, or another process was first
                conn.execute(assets.delete().where(assets.c.id == poster["asset_id"]))
        return poster["asset_id"] if linked else None

    def backfill(self, *, limit: int = 100) -> int:
        """Make the missing posters of videos; how many were made."""
        with self.db.read() as conn:
            rows = conn.execute(select(assets.c.id, assets.c.user_id).where(
                assets.c.content_type.like("video/%"), assets.c.poster_id.is_(None), assets.c.poster_of.is_(None),
                assets.c.metadata.is_not(None)).limit(limit)).all()
        return sum(1 for row in rows if self.make(row.user_id, row.id))
