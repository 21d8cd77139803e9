"""Trained models (contract section 11): a succeeded ``lora.train`` registers one, and
``image.generate`` (fal) uses it by id. Its weights are an asset like any other, kept
(never expiring) while registered; deleting the model leaves the weights in the library.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from orchestrator.errors import NotFound
from orchestrator.library.assets import AssetLibrary
from orchestrator.library.pages import page
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import assets, models


class Models:
    def __init__(self, db: Database, library: AssetLibrary) -> None:
        self.db = db
        self.library = library

    def register(self, user_id: str, *, name: str, base_model: str, trigger_word: str, weights_id: str,
                 run_id: str, node_id: str, kind: str = "lora") -> dict:
        """Record the model a run's node made (once: a redelivered node registers nothing new)."""
        values = {"id": new_id("m"), "user_id": user_id, "name": name, "kind": kind, "base_model": base_model,
                  "trigger_word": trigger_word, "weights_id": weights_id, "run_id": run_id, "node_id": node_id,
                  "created_at": now_iso()}
        try:
            with self.db.write() as conn:
                conn.execute(models.insert().values(**values))
                conn.execute(update(assets).where(assets.c.id == weights_id, assets.c.user_id == user_id)
                             .values(keep=True, expires_at=None))
        except IntegrityError:
            with self.db.read() as conn:
                values["id"] = conn.execute(select(models.c.id).where(
                    models.c.run_id == run_id, models.c.node_id == node_id)).scalar_one()
        return self.get(user_id, values["id"])

    def get(self, user_id: str, model_id: str) -> dict:
        with self.db.read() as conn:
            row = conn.execute(select(models, assets).join(assets, assets.c.id == models.c.weights_id).where(
                models.c.id == model_id, models.c.user_id == user_id)).first()
        if row is None:
            raise NotFound(f"model {model_id} does not exist")
        return self._document(row)

    def list(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> dict:
        query = select(models, assets).join(assets, assets.c.id == models.c.weights_id) \
            .where(models.c.user_id == user_id)
        with self.db.read() as conn:
            rows, next_cursor = page(conn, query, models.c.id, limit=limit, cursor=cursor)
        return {"models": [self._document(r) for r in rows], "next_cursor": next_cursor}

    def delete(self, user_id: str, model_id: str) -> None:
        with self.db.write() as conn:
            if not conn.execute(models.delete().where(models.c.id == model_id, models.c.user_id == user_id)).rowcount:
                raise NotFound(f"model {model_id} does not exist")

    def _document(self, row) -> dict:
        m = row._mapping
        weights = self.library.reference(_AssetRow(m))
        return {"id": m[models.c.id], "name": m[models.c.name], "kind": m[models.c.kind],
                "base_model": m[models.c.base_model], "trigger_word": m[models.c.trigger_word], "weights": weights,
                "created_at": m[models.c.created_at], "run_id": m[models.c.run_id]}


class _AssetRow:
    """The asset columns of a models-join-assets row, by attribute (as ``reference`` reads them)."""

    def __init__(self, mapping) -> None:
        self.id = mapping[assets.c.id]
        self.content_type = mapping[assets.c.content_type]
        self.size = mapping[assets.c.size]
        self.sha256 = mapping[assets.c.sha256]
        self.filename = mapping[assets.c.filename]
