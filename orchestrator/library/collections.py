"""Collections (contract section 11): named, ordered sets of the user's images, videos
or audios. A graph reads one with ``input.collection``.

Every asset in a collection is the owner's and of the collection's kind; an asset is in
a collection at most once (adding it again changes nothing). Items that break this are
refused with ``422 invalid_item`` naming the first bad one, and nothing changes.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from orchestrator.errors import NotFound, Rejected
from orchestrator.library.assets import AssetLibrary
from orchestrator.library.media_info import kind_of
from orchestrator.library.pages import page
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import assets, collection_items, collections

KINDS = ("image", "video", "audio")


class Collections:
    def __init__(self, db: Database, library: AssetLibrary) -> None:
        self.db = db
        self.library = library

    def create(self, user_id: str, name: str, kind: str) -> dict:
        values = {"id": new_id("c"), "user_id": user_id, "name": name.strip(), "kind": kind, "created_at": now_iso()}
        with self.db.write() as conn:
            conn.execute(collections.insert().values(**values))
        return self.get(user_id, values["id"])

    def get(self, user_id: str, collection_id: str) -> dict:
        with self.db.read() as conn:
            return self._document(conn, self._row(conn, user_id, collection_id))

    def list(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> dict:
        with self.db.read() as conn:
            rows, next_cursor = page(conn, select(collections).where(collections.c.user_id == user_id),
                                     collections.c.id, limit=limit, cursor=cursor)
            return {"collections": [self._document(conn, row) for row in rows], "next_cursor": next_cursor}

    def update(self, user_id: str, collection_id: str, *, name: str | None = None,
               items: list[str] | None = None) -> dict:
        """Rename, and/or set the items to ``items`` in that order (a reorder, or a new set)."""
        with self.db.write() as conn:
            row = self._row(conn, user_id, collection_id)
            if name is not None:
                conn.execute(collections.update().where(collections.c.id == collection_id).values(name=name.strip()))
            if items is not None:
                wanted = list(dict.fromkeys(items))
                self._check_items(conn, row, wanted)
                conn.execute(collection_items.delete().where(collection_items.c.collection_id == collection_id))
                self._insert(conn, collection_id, wanted, start=0)
        return self.get(user_id, collection_id)

    def delete(self, user_id: str, collection_id: str) -> None:
        with self.db.write() as conn:
            self._row(conn, user_id, collection_id)
            conn.execute(collections.delete().where(collections.c.id == collection_id))

    def add_items(self, user_id: str, collection_id: str, asset_ids: list[str]) -> dict:
        """Append assets not in the collection yet, in the order given."""
        with self.db.write() as conn:
            row = self._row(conn, user_id, collection_id)
            present = set(conn.execute(select(collection_items.c.asset_id)
                                       .where(collection_items.c.collection_id == collection_id)).scalars())
            new = [a for a in dict.fromkeys(asset_ids) if a not in present]
            self._check_items(conn, row, new)
            end = conn.execute(select(func.max(collection_items.c.position))
                               .where(collection_items.c.collection_id == collection_id)).scalar()
            self._insert(conn, collection_id, new, start=-1 if end is None else end)
        return self.get(user_id, collection_id)

    def remove_item(self, user_id: str, collection_id: str, asset_id: str) -> None:
        with self.db.write() as conn:
            self._row(conn, user_id, collection_id)
            removed = conn.execute(collection_items.delete().where(
                collection_items.c.collection_id == collection_id, collection_items.c.asset_id == asset_id)).rowcount
        if not removed:
            raise NotFound(f"asset {asset_id} is not in collection {collection_id}")

    def references(self, user_id: str, collection_id: str) -> list[dict]:
        """The collection's asset references in order (fresh URLs); ``LookupError`` when the
        user has no such collection."""
        with self.db.read() as conn:
            row = conn.execute(select(collections.c.id).where(collections.c.id == collection_id,
                                                              collections.c.user_id == user_id)).first()
            if row is None:
                raise LookupError(collection_id)
            return [self.library.reference(r) for r in self._asset_rows(conn, collection_id)]

    # -- helpers ------------------------------------------------------------------------

    def _row(self, conn: Connection, user_id: str, collection_id: str):
        row = conn.execute(select(collections).where(collections.c.id == collection_id,
                                                     collections.c.user_id == user_id)).first()
        if row is None:
            raise NotFound(f"collection {collection_id} does not exist")
        return row

    @staticmethod
    def _asset_rows(conn: Connection, collection_id: str) -> list:
        return conn.execute(
            select(assets).join(collection_items, collection_items.c.asset_id == assets.c.id)
            .where(collection_items.c.collection_id == collection_id).order_by(collection_items.c.position)).all()

    def _document(self, conn: Connection, row) -> dict:
        items = self.library.items(conn, self._asset_rows(conn, row.id))
        return {"id": row.id, "name": row.name, "kind": row.kind, "items": items, "count": len(items),
                "created_at": row.created_at}

    @staticmethod
    def _check_items(conn: Connection, collection, asset_ids: list[str]) -> None:
        found = {r.id: r for r in conn.execute(select(assets.c.id, assets.c.content_type).where(
            assets.c.id.in_(asset_ids), assets.c.user_id == collection.user_id,
            assets.c.poster_of.is_(None))).all()} if asset_ids else {}
        for asset_id in asset_ids:
            asset = found.get(asset_id)
            if asset is None:
                raise Rejected(f"asset {asset_id} does not exist", code="invalid_item", asset_id=asset_id)
            if kind_of(asset.content_type) != collection.kind:
                raise Rejected(f"asset {asset_id} is {kind_of(asset.content_type)} ({asset.content_type}); "
                               f"collection {collection.name!r} holds {collection.kind}",
                               code="invalid_item", asset_id=asset_id)

    @staticmethod
    def _insert(conn: Connection, collection_id: str, asset_ids: list[str], *, start: int) -> None:
        if asset_ids:
            conn.execute(collection_items.insert(), [
                {"collection_id": collection_id, "asset_id": a, "position": start + 1 + i}
                for i, a in enumerate(asset_ids)])
