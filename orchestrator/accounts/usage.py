"""A user's spend by provider, from the recorded costs (credits on or off); ``GET /api/usage`` adds it."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Connection, select

from orchestrator.store.models import cost_records


def provider_of(detail: str) -> str:
    """``fal``, ``gemini`` …: the first word of a cost record's detail (``fal fal-ai/flux/dev: …``)."""
    word = detail.split(" ", 1)[0].rstrip(":") if detail else ""
    return word or "other"


def spend_by_provider(conn: Connection, user_id: str, since: str) -> list[dict]:
    """``[{"provider", "cost"}]`` (USD) of costs recorded since the day ``since``, largest first."""
    totals: dict[str, float] = defaultdict(float)
    rows = conn.execute(select(cost_records.c.detail, cost_records.c.amount)
                        .where(cost_records.c.user_id == user_id, cost_records.c.created_at >= since))
    for detail, amount in rows:
        totals[provider_of(detail)] += amount
    return [{"provider": p, "cost": round(c, 6)} for p, c in sorted(totals.items(), key=lambda item: -item[1])]
