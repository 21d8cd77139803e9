"""The Litestar application: routes, errors, the canvas at ``/``."""

from __future__ import annotations

import time
from pathlib import Path

from litestar import Litestar, Response, get
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router

from orchestrator import __version__
from orchestrator.api import (accounts, admin, assets, bodies, catalog, credits, events, examples, jobhooks, library,
                              nodes, schedules, system, usage, webhooks)
from orchestrator.api.auth import current_user
from orchestrator.api.collections import CollectionController
from orchestrator.api.errors import HANDLERS, document_answers
from orchestrator.api.graphs import GraphController
from orchestrator.api.hooks import HookController
from orchestrator.api.models import ModelController
from orchestrator.api.openapi import add_stream_docs
from orchestrator.api.runs import RunController
from orchestrator.api.state import Services
from orchestrator.engine.runtime import Runtime
from orchestrator.metrics import HTTP_REQUESTS, HTTP_SECONDS
from orchestrator.resources import web_dist as packaged_web_dist


PLACEHOLDER = """<!doctype html><html><head><meta charset="utf-8"><title>FusionFlow</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>FusionFlow</h1><p>The API is up. The canvas has not been built: run <code>make run</code>
(it builds <code>web/</code>), or see <a href="/schema/swagger">the API documentation</a>.</p></body></html>"""


@get("/", include_in_schema=False)
async def placeholder() -> Response[str]:
    return Response(PLACEHOLDER, media_type="text/html")


def count_requests(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: request counts and latencies for /metrics."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_and_note(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_note)
        finally:
            HTTP_REQUESTS.labels(scope["method"], str(status)).inc()
            HTTP_SECONDS.labels(scope["method"]).observe(time.perf_counter() - started)

    return middleware


def create_app(runtime: Runtime, *, web_dist: Path | None = None) -> Litestar:
    web_dist = web_dist or packaged_web_dist()
    services = Services.build(runtime)

    if (web_dist / "index.html").exists():
        web = [create_static_files_router(path="/", directories=[web_dist], html_mode=True,
                                          include_in_schema=False, name="web")]
    else:
        web = [placeholder]

    app = Litestar(
        route_handlers=[RunController, GraphController, nodes.node_catalog, examples.list_examples, events.run_events,
                        events.user_events, system.health, system.metrics, jobhooks.job_webhook,
                        *accounts.ROUTES,
                        admin.AdminController, credits.ledger,
                        CollectionController, HookController, ModelController, usage.usage,
                        *library.ROUTES,  # before assets.ROUTES: see orchestrator/api/library.py
                        *assets.ROUTES, *webhooks.ROUTES, *schedules.ROUTES, catalog.catalog_models, *web],
        dependencies={"services": Provide(lambda: services, sync_to_thread=False, use_cache=True),
                      "user_id": Provide(current_user, sync_to_thread=True)},
        exception_handlers=HANDLERS,
        openapi_config=OpenAPIConfig(title="FusionFlow", version=__version__, path="/schema"),
        middleware=[count_requests, assets.base_url_middleware],
        logging_config=None,
        on_startup=[runtime.start, services.start_triggers],
        on_shutdown=[services.stop_triggers, runtime.close],
        cors_config=CORSConfig(allow_origins=[]),
        # Small for every route; the upload routes lift it and stream to disk under their own limit.
        request_max_body_size=runtime.settings.max_json_bytes,
        before_request=bodies.check_body,
        debug=False,
    )
    add_stream_docs(app)
    document_answers(app)
    app.state.services = services
    return app
