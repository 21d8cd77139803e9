"""A user's usage (contract section 11): bytes stored by kind, assets and runs, spend per day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select

from orchestrator.store.db import Database
from orchestrator.store.models import assets, cost_records, runs

KINDS = ("image", "video", "audio")


class Usage:
    def __init__(self, db: Database) -> None:
        self.db = db

    def report(self, user_id: str, *, days: int = 30, now: datetime | None = None) -> dict:
        """Storage (posters included) and counts now; spend on each of the last ``days`` days that had any."""
        since = ((now or datetime.now(UTC)) - timedelta(days=days - 1)).date().isoformat()
        kind = case(*((assets.c.content_type.like(f"{k}/%"), k) for k in KINDS), else_="other")
        day = func.substr(cost_records.c.created_at, 1, 10)
        with self.db.read() as conn:
            stored = dict(conn.execute(select(kind, func.sum(assets.c.size)).where(assets.c.user_id == user_id)
                                       .group_by(kind)).all())
            asset_count = conn.execute(select(func.count()).select_from(assets).where(
                assets.c.user_id == user_id, assets.c.poster_of.is_(None))).scalar()
            run_count = conn.execute(select(func.count()).select_from(runs).where(runs.c.user_id == user_id)).scalar()
            spend = conn.execute(select(day, func.sum(cost_records.c.amount)).where(
                cost_records.c.user_id == user_id, cost_records.c.created_at >= since)
                .group_by(day).order_by(day)).all()
        return {"storage": {k: int(stored.get(k) or 0) for k in (*KINDS, "other")}, "assets": asset_count,
                "runs": run_count, "spend": [{"day": d, "cost": round(float(c), 6)} for d, c in spend]}
