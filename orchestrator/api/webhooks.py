"""Webhooks: the caller's signing secret and a run's delivery log (contract section 13)."""

from __future__ import annotations

from litestar import get

from orchestrator.api.state import Services
from orchestrator.webhooks.service import Deliveries, WebhookSecret


@get("/api/me/webhook-secret", tags=["webhooks"], sync_to_thread=True,
     summary="The secret that signs your webhooks (FusionFlow-Signature)")
def webhook_secret(services: Services, user_id: str) -> WebhookSecret:
    return services.runs.webhooks.secret_document(user_id)


@get("/api/runs/{run_id:str}/webhook", tags=["webhooks"], sync_to_thread=True,
     summary="A run's webhook delivery attempts, oldest first")
def webhook_deliveries(run_id: str, services: Services, user_id: str) -> Deliveries:
    return services.runs.webhooks.deliveries(user_id, run_id)


ROUTES = [webhook_secret, webhook_deliveries]
