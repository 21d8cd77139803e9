"""``fusionflow``: serve, worker, run, migrate, users, openapi."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from orchestrator import settings as settings_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fusionflow", description="A node-graph orchestrator for generative media.")
    parser.add_argument("--log-level", default="WARNING")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API and the canvas (and run nodes, when embedded)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    worker = commands.add_parser("worker", help="run nodes from the Redis queue (distributed mode)")
    worker.add_argument("--threads", type=int, default=None,
                        help="threads for short nodes (default FUSIONFLOW_WORKER_THREADS or 8)")
    worker.add_argument("--long-threads", type=int, default=None,
                        help="threads for long nodes (default FUSIONFLOW_LONG_THREADS or 8)")
    worker.add_argument("--queues", choices=("short", "long", "all"), default="all",
                        help="take only short or only long nodes (default all)")

    run = commands.add_parser("run", help="run a graph file and show its progress")
    run.add_argument("graph", type=Path)
    run.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE",
                     help="a run input (numbers are parsed; repeat for several)")
    run.add_argument("--server", help="a FusionFlow server URL; default: run embedded in this process")
    run.add_argument("--key", help="API key for --server (default FUSIONFLOW_API_KEY)")
    run.add_argument("--priority", choices=("high", "normal", "low"), default="normal",
                     help="the run's priority: its nodes are taken before lower ones' that wait")

    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("gc", help="sweep now: expired assets and runs, unreferenced bytes, old cache entries")

    openapi = commands.add_parser("openapi", help="print the API's OpenAPI document (what /schema/openapi.json serves)")
    openapi.add_argument("--out", type=Path, help="write it to this file instead")

    users = commands.add_parser("users", help="manage users and API keys")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    create = users_commands.add_parser("create", help="create a user and print its API key (last line)")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true", help="make the user an admin (contract section 12)")

    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return {"serve": _serve, "worker": _worker, "run": _run, "migrate": _migrate, "users": _users,
            "openapi": _openapi, "gc": _gc}[args.command](args)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from orchestrator.api.app import create_app
    from orchestrator.engine.runtime import Runtime

    settings = settings_module.load()
    runtime = Runtime.build(settings, executes=not settings.distributed)
    app = create_app(runtime)
    mode = "distributed (nodes run in `fusionflow worker`)" if settings.distributed else "embedded"
    print(f"FusionFlow {mode}: http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from orchestrator.engine.queues import routes
    from orchestrator.engine.runtime import Runtime

    settings = settings_module.load()
    if not settings.distributed:
        print("fusionflow worker needs FUSIONFLOW_REDIS_URL (and a shared database and storage); "
              "without them `fusionflow serve` runs nodes itself.", file=sys.stderr)
        return 2
    settings = replace(settings, worker_threads=0 if args.queues == "long" else args.threads or settings.worker_threads,
                       long_threads=0 if args.queues == "short" else args.long_threads or settings.long_threads)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if settings.metrics_port:
        from prometheus_client import start_http_server

        from orchestrator.metrics import REGISTRY

        start_http_server(settings.metrics_port, addr=settings.metrics_host, registry=REGISTRY)
    with Runtime.build(settings, executes=True, listen=False) as runtime:
        kinds = tuple(kind for kind, threads in settings.threads_by_kind.items() if threads)
        print(f"FusionFlow worker: {settings.worker_threads} short and {settings.long_threads} long threads "
              f"on queues {', '.join(route.queue for route in routes(settings.queue_name, kinds))}", flush=True)
        stop.wait()
        runtime.stop_gracefully(settings.stop_grace_seconds)
    return 0


def _run(args: argparse.Namespace) -> int:
    from orchestrator.client import run_graph_file

    return run_graph_file(args.graph, args.input, server=args.server, key=args.key, priority=args.priority)


def _openapi(args: argparse.Namespace) -> int:
    from orchestrator.api.document import openapi_document

    document = openapi_document()
    if args.out:
        args.out.write_bytes(document)
    else:
        sys.stdout.buffer.write(document)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from orchestrator.store import migrate
    from orchestrator.store.db import Database

    settings = settings_module.load()
    db = Database(settings.database_url)
    migrate.upgrade(db)
    db.dispose()
    print("schema up to date", flush=True)
    return 0


def _gc(args: argparse.Namespace) -> int:
    from orchestrator.assets.factory import build_asset_service
    from orchestrator.library.retention import Sweeper
    from orchestrator.store import migrate
    from orchestrator.store.db import Database

    settings = settings_module.load()
    db = Database(settings.database_url)
    if settings.embedded_database:
        migrate.upgrade(db)
    sweeper = Sweeper(db, build_asset_service(settings, db), settings)
    swept = sweeper.sweep()
    db.dispose()
    print("swept: " + ", ".join(f"{count} {what.replace('_', ' ')}" for what, count in swept.items()), flush=True)
    return 0


def _users(args: argparse.Namespace) -> int:
    from orchestrator.store import migrate
    from orchestrator.store.db import Database
    from orchestrator.store.users import create_user

    settings = settings_module.load()
    db = Database(settings.database_url)
    if settings.embedded_database:
        migrate.upgrade(db)
    user_id, key = create_user(db, args.name, admin=args.admin)
    db.dispose()
    role = "admin" if args.admin else "user"
    print(f"created {role} {args.name} ({user_id}); its API key, shown once:")
    print(key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
