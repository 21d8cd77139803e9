"""When an asset made by a run expires (contract section 11, retention).

Uploads never expire. Outputs of a run with a ``variants.*`` node expire
``FUSIONFLOW_BATCH_TTL_HOURS`` after they were made, other run outputs
``FUSIONFLOW_RETENTION_DAYS`` after. ``keep`` clears the expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import select

from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.models import runs

BATCH_NODE_PREFIX = "variants."


def iso(moment: datetime) -> str:
    """A moment in the tables' format: ``2026-11-21T10:00:00.123Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def run_output_expiry(db: Database, settings: Settings, run_id: str, made_at: datetime) -> str:
    """When an asset that run ``run_id`` made at ``made_at`` expires."""
    if is_batch_run(db, run_id):
        return iso(made_at + timedelta(hours=settings.batch_ttl_hours))
    return iso(made_at + timedelta(days=settings.retention_days))


@lru_cache(maxsize=4096)
def is_batch_run(db: Database, run_id: str) -> bool:
    """True when the run's graph has a ``variants.*`` node (a run's graph never changes)."""
    with db.read() as conn:
        graph = conn.execute(select(runs.c.graph).where(runs.c.id == run_id)).scalar()
    nodes = (graph or {}).get("nodes") or []
    return any(str(node.get("type", "")).startswith(BATCH_NODE_PREFIX) for node in nodes if isinstance(node, dict))
