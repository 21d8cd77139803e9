"""The user's media library (contract section 11): list, rename, tag, keep, delete;
metadata read when an asset arrives; run outputs recorded with their origin and expiry.

An item is the asset reference plus ``name``, ``kind``, ``tags``, ``created_at``,
``expires_at``, ``origin``, ``metadata`` and, for videos, ``poster`` (a JPEG made in
the background by ``posters.PosterMaker``; null until then). Posters are assets of
their own (``poster_of`` set), left out of lists and deleted with their video.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Text, func, not_, or_, select, type_coerce, update

from orchestrator.assets import AssetService
from orchestrator.errors import NotFound
from orchestrator.library import expiry
from orchestrator.library.media_info import MEDIA_KINDS, kind_of, probe
from orchestrator.library.pages import page
from orchestrator.library.posters import PosterMaker
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.models import assets, collection_items, collections, output_cache

log = logging.getLogger(__name__)


def like_pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its wildcards escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def kind_filter(kind: str):
    """A WHERE clause on ``assets.content_type`` for one kind."""
    if kind in MEDIA_KINDS:
        return assets.c.content_type.like(f"{kind}/%")
    return not_(or_(*(assets.c.content_type.like(f"{k}/%") for k in MEDIA_KINDS)))


class AssetLibrary:
    def __init__(self, db: Database, store: AssetService, settings: Settings) -> None:
        self.db = db
        self.store = store
        self.settings = settings
        self.posters = PosterMaker(db, store)

    # -- reading ----------------------------------------------------------------------

    def item(self, user_id: str, asset_id: str) -> dict:
        with self.db.read() as conn:
            row = conn.execute(select(assets).where(assets.c.id == asset_id, assets.c.user_id == user_id)).first()
            if row is None:
                raise NotFound(f"asset {asset_id} does not exist")
            return self.items(conn, [row])[0]

    def list(self, user_id: str, *, kind: str | None = None, tag: str | None = None, collection: str | None = None,
             q: str | None = None, origin: str | None = None, limit: int = 50, cursor: str | None = None) -> dict:
        query = select(assets).where(assets.c.user_id == user_id, assets.c.poster_of.is_(None))
        if kind:
            query = query.where(kind_filter(kind))
        if tag:
            query = query.where(type_coerce(assets.c.tags, Text).like(like_pattern(f'"{tag}"'), escape="\\"))
        if q:
            name = func.lower(func.coalesce(assets.c.name, assets.c.filename, ""))
            query = query.where(name.like(like_pattern(q.lower()), escape="\\"))
        if origin == "upload":
            query = query.where(assets.c.origin_run_id.is_(None))
        elif origin == "run":
            query = query.where(assets.c.origin_run_id.is_not(None))
        with self.db.read() as conn:
            if collection:
                if conn.execute(select(collections.c.id).where(collections.c.id == collection,
                                                               collections.c.user_id == user_id)).first() is None:
                    raise NotFound(f"collection {collection} does not exist")
                query = query.where(assets.c.id.in_(select(collection_items.c.asset_id)
                                                    .where(collection_items.c.collection_id == collection)))
            rows, next_cursor = page(conn, query, assets.c.id, limit=limit, cursor=cursor)
            return {"assets": self.items(conn, rows), "next_cursor": next_cursor}

    def items(self, conn: Connection, rows: list) -> list[dict]:
        """Library items for asset rows (their posters read in one query)."""
        poster_ids = [r.poster_id for r in rows if r.poster_id]
        posters = {p.id: self.reference(p) for p in conn.execute(
            select(assets).where(assets.c.id.in_(poster_ids))).all()} if poster_ids else {}
        return [self._item(row, posters) for row in rows]

    def reference(self, row) -> dict:
        """The asset reference (contract section 7) of a row, with a fresh URL."""
        return self.store.reference(row)

    def _item(self, row, posters: dict[str, dict]) -> dict:
        item = {**self.reference(row), "name": row.name or row.filename or row.id, "kind": kind_of(row.content_type),
                "tags": row.tags or [], "created_at": row.created_at, "expires_at": row.expires_at,
                "keep": bool(row.keep),
                "origin": ({"type": "run", "run_id": row.origin_run_id, "node_id": row.origin_node_id}
                           if row.origin_run_id else {"type": "upload"}),
                "metadata": row.metadata or {}}
        if item["kind"] == "video":
            item["poster"] = posters.get(row.poster_id) if row.poster_id else None
        return item

    # -- arriving ---------------------------------------------------------------------

    def accept_upload(self, user_id: str, path: Path, sha256: str, size: int, content_type: str,
                      filename: str | None) -> dict:
        """Store an uploaded scratch file as the user's asset (or answer the same upload
        again), its metadata read first; a video's poster follows in the background."""
        metadata = probe(path, content_type)
        ref = self.store.put_spooled(user_id, path, sha256, size, content_type, filename)
        self.arrived(user_id, ref, metadata)
        return ref

    def accept_direct_upload(self, user_id: str, ref: dict) -> dict:
        """A completed direct upload: read its metadata from the store."""
        self.arrived(user_id, ref, None)
        return ref

    def save_run_output(self, user_id: str, run_id: str, node_id: str, source: Path | IO[bytes],
                        content_type: str, filename: str | None = None) -> dict:
        """Store what a node made as a new asset with its origin and expiry, then read its metadata."""
        row = {"origin_run_id": run_id, "origin_node_id": node_id,
               "expires_at": expiry.run_output_expiry(self.db, self.settings, run_id, datetime.now(UTC))}
        if isinstance(source, (str, Path)):
            metadata = probe(Path(source), content_type)
            ref = self.store.put_file(user_id, Path(source), content_type, filename=filename, row=row)
        else:
            metadata = None
            ref = self.store.put_stream(user_id, source, content_type, filename=filename, row=row)
        self.arrived(user_id, ref, metadata)
        return ref

    def arrived(self, user_id: str, ref: dict, metadata: dict | None) -> None:
        """Record an asset's metadata (read from the store when not given), and start its poster."""
        kind = kind_of(ref["content_type"])
        if kind == "other":
            return
        if metadata is None:
            metadata = self._known_metadata(ref["sha256"])
        if metadata is None:
            with self.store.local_path(user_id, ref) as local:
                metadata = probe(local, ref["content_type"])
        with self.db.write() as conn:
            conn.execute(update(assets).where(assets.c.id == ref["asset_id"], assets.c.metadata.is_(None))
                         .values(metadata=metadata or {}))
        if kind == "video":
            self.posters.schedule(user_id, ref["asset_id"])

    def _known_metadata(self, sha256: str) -> dict | None:
        """Metadata already read for the same bytes (another asset sharing them)."""
        with self.db.read() as conn:
            return conn.execute(select(assets.c.metadata).where(
                assets.c.sha256 == sha256, assets.c.metadata.is_not(None)).limit(1)).scalar()

    # -- changing ---------------------------------------------------------------------

    def update(self, user_id: str, asset_id: str, *, name: str | None = None, tags: list[str] | None = None,
               keep: bool | None = None) -> dict:
        with self.db.write() as conn:
            row = conn.execute(select(assets).where(assets.c.id == asset_id, assets.c.user_id == user_id,
                                                    assets.c.poster_of.is_(None))).first()
            if row is None:
                raise NotFound(f"asset {asset_id} does not exist")
            values: dict = {}
            if name is not None:
                values["name"] = name.strip()
            if tags is not None:
                values["tags"] = list(dict.fromkeys(t.strip() for t in tags))
            if keep is not None:
                values["keep"] = keep
                values["expires_at"] = None if keep else self._expiry_of(row)
            if values:
                conn.execute(update(assets).where(assets.c.id == asset_id).values(**values))
                if "expires_at" in values and row.poster_id:
                    conn.execute(update(assets).where(assets.c.id == row.poster_id)
                                 .values(expires_at=values["expires_at"]))
        return self.item(user_id, asset_id)

    def _expiry_of(self, row) -> str | None:
        if not row.origin_run_id:
            return None
        return expiry.run_output_expiry(self.db, self.settings, row.origin_run_id, expiry.parse_iso(row.created_at))

    def delete(self, user_id: str, asset_id: str) -> None:
        with self.db.write() as conn:
            if conn.execute(select(assets.c.id).where(assets.c.id == asset_id, assets.c.user_id == user_id,
                                                      assets.c.poster_of.is_(None))).first() is None:
                raise NotFound(f"asset {asset_id} does not exist")
            shas = purge(conn, [asset_id])
        self.drop_unused_bytes(shas)

    def drop_unused_bytes(self, shas: set[str]) -> int:
        """Remove the stored bytes of each SHA-256 that no asset row names any more."""
        if not shas:
            return 0
        wanted, used = list(shas), set()
        with self.db.read() as conn:
            for start in range(0, len(wanted), 500):
                used.update(conn.execute(select(assets.c.sha256).where(
                    assets.c.sha256.in_(wanted[start:start + 500]))).scalars())
        dropped = 0
        for sha in shas - used:
            try:
                self.store.delete_object(sha)
                dropped += 1
            except Exception:
                log.exception("could not delete the bytes %s; the sweep will try again", sha)
        return dropped


def purge(conn: Connection, asset_ids: list[str]) -> set[str]:
    """Delete assets and their posters (collection items and models go with them), and the
    cached outputs that name them; returns the SHA-256s whose bytes may now be unused."""
    rows = conn.execute(select(assets.c.id, assets.c.sha256).where(or_(
        assets.c.id.in_(asset_ids), assets.c.poster_of.in_(asset_ids)))).all()
    ids = [r.id for r in rows]
    for asset_id in asset_ids:  # a cache hit must not hand out a deleted asset
        conn.execute(output_cache.delete().where(
            type_coerce(output_cache.c.outputs, Text).like(like_pattern(f'"{asset_id}"'), escape="\\")))
    if ids:
        conn.execute(assets.delete().where(assets.c.id.in_(ids)))
    return {r.sha256 for r in rows}
