"""``fusionflow run``: submit a graph file, draw per-node progress from the event
stream, print the outputs. Without ``--server`` it starts an embedded server on a
free loopback port in this process and talks to it over the same HTTP API.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import httpx

BAR_WIDTH = 20
TERMINAL_RUN = {"run.succeeded", "run.failed", "run.cancelled"}


def parse_inputs(pairs: list[str]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"--input takes NAME=VALUE, not {pair!r}")
        try:
            number = float(value)
            inputs[name] = int(number) if number.is_integer() and "." not in value else number
        except ValueError:
            inputs[name] = value
    return inputs


def iter_sse(response: httpx.Response) -> Iterator[tuple[str, str, str]]:
    """(id, event, data) for each event of a text/event-stream response."""
    event_id, event_type, data = "", "message", []
    for line in response.iter_lines():
        if line == "":
            if data:
                yield event_id, event_type, "\n".join(data)
            event_type, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "id":
                event_id = value
            elif field == "event":
                event_type = value
            elif field == "data":
                data.append(value)


class ProgressView:
    """One line per node state change: ``  image  running  [#####-----]  50%  step 2 of 4``."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.width = 12

    def show(self, event: str, data: dict) -> None:
        node = data.get("node_id")
        if node is None:
            self.out.write(f"{event}\n")
        else:
            self.width = max(self.width, len(node))
            state = event.split(".", 1)[1]
            detail = ""
            if event == "node.progress":
                filled = int(round(data.get("progress", 0) * BAR_WIDTH))
                detail = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {data['progress']:4.0%}  {data.get('message', '')}"
            elif event == "node.failed":
                detail = data["error"]["message"]
            elif event == "node.retrying":
                detail = f"attempt {data['attempt']} failed: {data['error']['message']}; retrying in {data['delay_ms']} ms"
            elif event == "node.succeeded" and data.get("cached"):
                detail = "(cached)"
            self.out.write(f"  {node:<{self.width}}  {state:<10} {detail}".rstrip() + "\n")
        self.out.flush()


def follow(client: httpx.Client, run_id: str, out: TextIO) -> dict:
    view = ProgressView(out)
    with client.stream("GET", f"/api/runs/{run_id}/events", timeout=httpx.Timeout(30, read=None)) as response:
        response.raise_for_status()
        for _id, event, data in iter_sse(response):
            view.show(event, json.loads(data))
            if event in TERMINAL_RUN:
                break
    return client.get(f"/api/runs/{run_id}").json()


def submit_and_follow(base_url: str, graph: dict, inputs: dict, key: str | None, out: TextIO,
                      priority: str = "normal") -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        response = client.post("/api/runs", json={"graph": graph, "inputs": inputs, "priority": priority})
        if response.status_code == 422:
            for err in response.json()["errors"]:
                out.write(f"error: {err['message']}\n")
            return 2
        if response.status_code >= 400:
            out.write(f"error: {response.status_code} {response.text}\n")
            return 2
        run = response.json()
        out.write(f"run {run['id']}\n")
        final = follow(client, run["id"], out)
    out.write(json.dumps({"status": final["status"], "outputs": final["outputs"]}, indent=2) + "\n")
    return 0 if final["status"] == "succeeded" else 1


@contextmanager
def embedded_server() -> Iterator[str]:
    """An embedded FusionFlow server on a free loopback port, for the life of the block."""
    import uvicorn

    from orchestrator import settings as settings_module
    from orchestrator.api.app import create_app
    from orchestrator.engine.runtime import Runtime

    settings = settings_module.load()
    runtime = Runtime.build(settings, executes=not settings.distributed)
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="on", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise SystemExit("the embedded server did not start")
        thread.join(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def run_graph_file(path: Path, input_pairs: list[str], *, server: str | None, key: str | None,
                   out: TextIO = sys.stdout, priority: str = "normal") -> int:
    try:
        graph = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        out.write(f"error: cannot read {path}: {exc}\n")
        return 2
    inputs = parse_inputs(input_pairs)
    key = key or os.environ.get("FUSIONFLOW_API_KEY")
    if server:
        return submit_and_follow(server.rstrip("/"), graph, inputs, key, out, priority)
    with embedded_server() as url:
        return submit_and_follow(url, graph, inputs, key, out, priority)
