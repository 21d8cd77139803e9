"""Webhooks as the API offers them: URL checks, the per-user secret, the delivery log,
and the delivery row written with the run."""

from __future__ import annotations

import secrets
from typing import Literal

import msgspec
from collections.abc import Callable

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from nodes.providers.download import vet
from nodes.sdk import NodeError
from orchestrator.errors import GraphInvalid, NotFound
from orchestrator.graph.validate import error
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import run_webhooks, runs, webhook_attempts, webhook_secrets

MAX_URL = 2000


class WebhookSecret(msgspec.Struct):
    secret: str


class Delivery(msgspec.Struct):
    at: str
    status_code: int | None
    error: str | None


class Deliveries(msgspec.Struct):
    """``GET /api/runs/{id}/webhook``."""

    deliveries: list[Delivery]
    """Every attempt, oldest first."""
    url: str | None
    state: Literal["waiting", "pending", "delivered", "failed"] | None
    """``waiting`` for the run to end, ``pending`` a retry, ``delivered``, ``failed`` (given up)."""


class WebhookService:
    def __init__(self, db: Database, *, allow_private_urls: bool) -> None:
        self.db = db
        self.allow_private_urls = allow_private_urls

    def check_url(self, url: str | None, field: str = "webhook") -> None:
        """Refuse (422 ``invalid_param`` naming ``field``) a URL we would not POST to:
        not http(s), too long, or resolving to a private address (unless allowed)."""
        if url is None:
            return
        problem = None
        if len(url) > MAX_URL:
            problem = f"{field}: the URL is longer than {MAX_URL} characters"
        else:
            try:
                vet(url, self.allow_private_urls)
            except NodeError as exc:
                problem = f"{field}: {exc}".replace("refusing to fetch", "refusing to call")
        if problem:
            raise GraphInvalid([error("invalid_param", problem, param=field)])

    @staticmethod
    def registration(run_id: str, user_id: str, url: str | None) -> Callable[[Connection], None] | None:
        """What records, in the run's own transaction, that the run's end is to be POSTed to
        ``url`` (None when there is no webhook)."""
        if not url:
            return None

        def register(conn: Connection) -> None:
            conn.execute(run_webhooks.insert().values(run_id=run_id, user_id=user_id, url=url, state="waiting",
                                                      attempts=0))

        return register

    def secret_document(self, user_id: str) -> WebhookSecret:
        return WebhookSecret(self.secret(user_id))

    def secret(self, user_id: str) -> str:
        """The user's webhook secret, made on first use."""
        with self.db.read() as conn:
            found = conn.execute(select(webhook_secrets.c.secret).where(
                webhook_secrets.c.user_id == user_id)).scalar_one_or_none()
        if found is not None:
            return found
        try:
            with self.db.write() as conn:
                conn.execute(webhook_secrets.insert().values(user_id=user_id, secret="whsec_" + secrets.token_urlsafe(32),
                                                             created_at=now_iso()))
        except IntegrityError:
            pass  # another request made it first: use that one
        return self.secret(user_id)

    def deliveries(self, user_id: str, run_id: str) -> Deliveries:
        """``GET /api/runs/{id}/webhook``: the delivery attempts, oldest first."""
        with self.db.read() as conn:
            if conn.execute(select(runs.c.id).where(runs.c.id == run_id, runs.c.user_id == user_id)).first() is None:
                raise NotFound(f"run {run_id} does not exist")
            hook = conn.execute(select(run_webhooks).where(run_webhooks.c.run_id == run_id)).first()
            attempts = conn.execute(select(webhook_attempts).where(webhook_attempts.c.run_id == run_id)
                                    .order_by(webhook_attempts.c.id)).all()
        return Deliveries(deliveries=[Delivery(a.at, a.status_code, a.error) for a in attempts],
                          url=hook.url if hook else None, state=hook.state if hook else None)
