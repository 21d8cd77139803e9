"""A user's spend by UTC day and by provider, from the recorded costs (credits on or off)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from orchestrator.store.db import Database
from orchestrator.store.models import cost_records


def provider_of(detail: str) -> str:
    """``fal``, ``gemini`` …: the first word of a cost record's detail (``fal fal-ai/flux/dev: …``)."""
    word = detail.split(" ", 1)[0].rstrip(":") if detail else ""
    return word or "other"


def usage(db: Database, user_id: str, *, days: int) -> dict:
    since = (datetime.now(UTC) - timedelta(days=days - 1)).strftime("%Y-%m-%d")
    with db.read() as conn:
        rows = conn.execute(select(cost_records.c.created_at, cost_records.c.detail, cost_records.c.amount)
                            .where(cost_records.c.user_id == user_id, cost_records.c.created_at >= since)).all()
    by_day: dict[str, float] = defaultdict(float)
    by_provider: dict[str, float] = defaultdict(float)
    for created_at, detail, amount in rows:
        by_day[created_at[:10]] += amount
        by_provider[provider_of(detail)] += amount
    return {"since": since, "total": round(sum(by_day.values()), 6),
            "days": [{"date": d, "cost": round(c, 6)} for d, c in sorted(by_day.items(), reverse=True)],
            "providers": [{"provider": p, "cost": round(c, 6)}
                          for p, c in sorted(by_provider.items(), key=lambda item: -item[1])]}
