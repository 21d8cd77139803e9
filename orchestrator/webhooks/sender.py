"""The sender loop: POSTs the summaries of ended runs to their webhooks, from the table.

It runs in a thread of every API process (``fusionflow serve``), never in a worker
thread, so a slow or dead receiver holds no node. Any number of processes may run
one: a delivery is taken with a conditional update that sets a lease, so each
attempt is made by one process; a process that dies mid-attempt leaves a lease that
runs out, and another process tries again. Failures retry with exponential backoff
(``FUSIONFLOW_WEBHOOK_RETRY_BASE_SECONDS`` doubling, capped) until 24 hours after the
first attempt; every attempt is logged for ``GET /api/runs/{id}/webhook``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
import msgspec
from sqlalchemy import and_, or_, select, update

from nodes.providers.download import VettedTransport, vet
from nodes.sdk import NodeError
from orchestrator.assets import AssetService
from orchestrator.periodic import Periodic
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import run_webhooks, runs, webhook_attempts
from orchestrator.webhooks.service import WebhookService
from orchestrator.webhooks.signing import HEADER, signature

log = logging.getLogger(__name__)

ENDED = ("succeeded", "failed", "cancelled")
LEASE_SECONDS = 60
TIMEOUT_SECONDS = 10
BATCH = 50


class Sender:
    def __init__(self, db: Database, settings: Settings, assets: AssetService | None, webhooks: WebhookService, *,
                 clock: Callable[[], float] = time.time, http: httpx.Client | None = None) -> None:
        self.db = db
        self.settings = settings
        self.assets = assets
        self.webhooks = webhooks
        self.clock = clock
        self.http = http or httpx.Client(  # connects to the address it vetted (no DNS rebinding)
            timeout=TIMEOUT_SECONDS, follow_redirects=False, headers={"User-Agent": "FusionFlow-Webhooks"},
            transport=VettedTransport(settings.allow_private_urls))
        self.loop = Periodic("fusionflow-webhooks", settings.trigger_poll_seconds, self.send_due,
                             join_timeout=TIMEOUT_SECONDS + 5)

    def send_due(self) -> int:
        """Make every attempt that is due now; returns how many were made."""
        now = self.clock()
        free = or_(run_webhooks.c.lease_until.is_(None), run_webhooks.c.lease_until < now)
        due = or_(and_(run_webhooks.c.state == "waiting", runs.c.status.in_(ENDED)),
                  and_(run_webhooks.c.state == "pending", run_webhooks.c.next_attempt_at <= now))
        with self.db.read() as conn:
            candidates = conn.execute(select(run_webhooks.c.run_id).join(runs, runs.c.id == run_webhooks.c.run_id)
                                      .where(due, free).limit(BATCH)).scalars().all()
        made = 0
        for run_id in candidates:
            if self._claim(run_id, now):
                self._attempt(run_id)
                made += 1
        return made

    def _claim(self, run_id: str, now: float) -> bool:
        with self.db.write() as conn:
            taken = conn.execute(
                update(run_webhooks)
                .where(run_webhooks.c.run_id == run_id, run_webhooks.c.state.in_(("waiting", "pending")),
                       or_(run_webhooks.c.lease_until.is_(None), run_webhooks.c.lease_until < now))
                .values(lease_until=now + LEASE_SECONDS).returning(run_webhooks.c.run_id)).first()
        return taken is not None

    def _attempt(self, run_id: str) -> None:
        with self.db.read() as conn:
            run = conn.execute(select(runs).where(runs.c.id == run_id)).first()
            hook = conn.execute(select(run_webhooks).where(run_webhooks.c.run_id == run_id)).first()
        summary = {"run_id": run.id, "status": run.status, "outputs": self._fresh(run.user_id, run.outputs or {}),
                   "cost": round(run.cost, 6), "graph_id": run.graph_id, "finished_at": run.finished_at}
        body = msgspec.json.encode(summary)
        now = self.clock()
        status_code, problem, final = self._post(hook.url, body, self.webhooks.secret(run.user_id), int(now))
        self._record(hook, now, status_code, problem, final)

    def _post(self, url: str, body: bytes, secret: str, timestamp: int) -> tuple[int | None, str | None, bool]:
        """(status code, error, whether to stop retrying)."""
        try:
            vet(url, self.settings.allow_private_urls)  # again: DNS may have changed since submission
        except NodeError as exc:
            return None, str(exc).replace("refusing to fetch", "refusing to call"), True
        headers = {"Content-Type": "application/json", HEADER: signature(secret, body, timestamp)}
        try:
            response = self.http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500], False
        if 200 <= response.status_code < 300:
            return response.status_code, None, True
        return response.status_code, f"HTTP {response.status_code}: {response.text[:200]}", False

    def _record(self, hook, now: float, status_code: int | None, problem: str | None, final: bool) -> None:
        first = hook.first_attempt_at or now
        attempts = hook.attempts + 1
        state, delay = next_step(self.settings, attempts=attempts, first=first, now=now, ok=problem is None,
                                 final=final)
        with self.db.write() as conn:
            conn.execute(webhook_attempts.insert().values(run_id=hook.run_id, at=now_iso(), status_code=status_code,
                                                          error=problem))
            conn.execute(update(run_webhooks).where(run_webhooks.c.run_id == hook.run_id).values(
                state=state, attempts=attempts, first_attempt_at=first, lease_until=None,
                next_attempt_at=now + delay if state == "pending" else None))
        if state == "failed":
            log.warning("webhook for run %s given up after %d attempts: %s", hook.run_id, attempts, problem)

    def _fresh(self, user_id: str, outputs: dict) -> dict:
        """The run's outputs with their asset URLs signed again (the run's owner's assets only)."""
        return self.assets.with_fresh_urls(user_id, outputs) if self.assets is not None else outputs


def next_step(settings: Settings, *, attempts: int, first: float, now: float, ok: bool,
              final: bool) -> tuple[str, float]:
    """After attempt number ``attempts`` (the first made at ``first``): the delivery's state,
    and the delay before the next attempt (base x 2^(attempts-1), capped). A retry that
    would fall past the give-up period (24 h) is not made: the delivery ``failed``."""
    if ok:
        return "delivered", 0.0
    delay = min(settings.webhook_retry_base_seconds * 2 ** (attempts - 1), settings.webhook_retry_max_seconds)
    if final or now + delay - first > settings.webhook_give_up_hours * 3600:
        return "failed", 0.0
    return "pending", delay
