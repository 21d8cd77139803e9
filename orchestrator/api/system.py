"""Health and metrics (contract section 8)."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Response, get
from litestar.di import Provide
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from orchestrator import __version__
from orchestrator.api.auth import current_admin
from orchestrator.api.state import Services
from orchestrator.metrics import REGISTRY, refresh_gauges


def _checks(services: Services) -> dict[str, str]:
    runtime = services.runtime
    results: dict[str, str] = {}
    probes = {
        "database": runtime.db.ping,
        "broker": runtime.ping_broker,
        "bus": runtime.bus.ping,
        "storage": (runtime.assets.check if runtime.assets is not None else lambda: None),
    }
    for name, probe in probes.items():
        try:
            probe()
            results[name] = "ok"
        except Exception as exc:  # report, do not raise: this is the health check
            results[name] = f"error: {type(exc).__name__}: {exc}"
    return results


@get("/health", tags=["system"], summary="Whether the database, broker and storage answer")
async def health(services: Services) -> Response[dict[str, Any]]:
    checks = await anyio.to_thread.run_sync(_checks, services)
    ok = all(v == "ok" for v in checks.values())
    mode = "distributed" if services.runtime.settings.distributed else "embedded"
    body = {"status": "ok" if ok else "error", "version": __version__, "mode": mode, "checks": checks}
    return Response(body, status_code=200 if ok else 503)


@get("/metrics", tags=["system"], summary="Prometheus metrics (with auth on: an admin's credential)",
     dependencies={"admin_id": Provide(current_admin, sync_to_thread=True)})
async def metrics(services: Services, admin_id: str) -> Response[bytes]:
    await anyio.to_thread.run_sync(refresh_gauges, services.runtime.db, services.runtime.queue_depths)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
