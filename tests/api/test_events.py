"""Event streams (contract section 4) through a real HTTP client, in both modes."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from orchestrator.client import iter_sse
from tests.helpers import TERMINAL, edge, events, graph, node, submit, wait_run

FAN = graph([node("src", "input.text", default="x"),
             *[node(f"w{i}", "flow.wait", seconds=0.05, steps=2) for i in range(4)],
             node("j", "text.join")],
            [*[edge("src.text", f"w{i}.value") for i in range(4)], *[edge(f"w{i}.value", "j.parts") for i in range(4)]])
NODES = {"src", "w0", "w1", "w2", "w3", "j"}
TERMINAL_NODE = {"node.succeeded", "node.failed", "node.skipped", "node.cancelled"}


def check_log(log):
    """The rules of a complete log: seq 1..N, run.started first, one terminal node event each, terminal last."""
    seqs = [data["seq"] for _, _, data in log]
    assert seqs == list(range(1, len(log) + 1))
    assert [int(event_id) for event_id, _, _ in log] == seqs
    assert log[0][1] == "run.started" and log[-1][1] in TERMINAL
    assert all(kind not in TERMINAL for _, kind, _ in log[:-1])
    terminal = [data["node_id"] for _, kind, data in log if kind in TERMINAL_NODE]
    assert sorted(terminal) == sorted(NODES)
    for _, kind, data in log:
        assert data["ts"].endswith("Z") and data["run_id"]


def test_a_complete_ordered_log(client):
    run = submit(client, FAN)
    log = events(client, run["id"])
    check_log(log)
    kinds = [kind for _, kind, _ in log]
    assert kinds.count("node.progress") == 8
    progress = [data for _, kind, data in log if kind == "node.progress" and data["node_id"] == "w0"]
    assert [p["progress"] for p in progress] == [0.5, 1.0] and progress[0]["message"] == "step 1 of 2"
    started = {data["node_id"]: i for i, (_, kind, data) in enumerate(log) if kind == "node.started"}
    succeeded = {data["node_id"]: i for i, (_, kind, data) in enumerate(log) if kind == "node.succeeded"}
    assert all(succeeded[f"w{i}"] < started["j"] for i in range(4))
    assert log[-1][2]["outputs"] == {"j": {"text": "xxxx"}}


def test_stream_opens_with_a_comment_and_closes_after_the_terminal_event(client):
    run = wait_run(client, submit(client, FAN)["id"])
    with client.stream("GET", f"/api/runs/{run['id']}/events") as response:
        lines = list(response.iter_lines())
    assert lines[0].startswith(":")
    assert lines[-1] == "" and any(line == "event: run.succeeded" for line in lines)


def test_reconnect_with_last_event_id_loses_and_repeats_nothing(client):
    run = submit(client, FAN)
    full = events(client, run["id"])
    head = full[:5]
    tail = events(client, run["id"], headers={"Last-Event-ID": head[-1][0]})
    assert head + tail == full
    assert events(client, run["id"], after=7) == full[7:]


def test_reconnect_while_the_run_is_live(client):
    slow = graph([node("w", "flow.wait", seconds=0.6, steps=6)])
    run = submit(client, slow)
    first = events(client, run["id"], until="node.progress")
    rest = events(client, run["id"], headers={"Last-Event-ID": first[-1][0]})
    seqs = [data["seq"] for _, _, data in first + rest]
    assert seqs == list(range(1, len(seqs) + 1))
    assert rest[-1][1] == "run.succeeded"


def test_twenty_concurrent_listeners_see_the_same_log(client, server):
    run = submit(client, FAN)
    barrier = threading.Barrier(20)

    def listen(_):
        with httpx.Client(base_url=server.url, timeout=60) as own:
            barrier.wait()
            return events(own, run["id"])

    with ThreadPoolExecutor(20) as pool:
        logs = list(pool.map(listen, range(20)))
    check_log(logs[0])
    assert all(log == logs[0] for log in logs)


def test_a_listener_after_the_end_gets_everything(client):
    run = submit(client, FAN)
    wait_run(client, run["id"])
    late = events(client, run["id"])
    check_log(late)


def test_user_stream_carries_every_run_from_connect_and_resumes(client, server):
    received = []
    connected = threading.Event()

    def listen():
        with httpx.Client(base_url=server.url, timeout=60) as own, own.stream("GET", "/api/events") as response:
            connected.set()
            for event_id, kind, data in iter_sse(response):
                received.append((event_id, kind, json.loads(data)))
                if kind in TERMINAL:
                    return

    listener = threading.Thread(target=listen)
    listener.start()
    assert connected.wait(10)
    run = submit(client, graph([node("w", "flow.wait", seconds=0.1)]))
    listener.join(30)
    assert not listener.is_alive()
    assert {data["run_id"] for _, _, data in received} == {run["id"]}
    assert received[0][1] == "run.started" and received[-1][1] == "run.succeeded"
    ids = [int(event_id) for event_id, _, _ in received]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # Resume after the third event: the rest comes again, nothing more, nothing less.
    resumed = []
    with client.stream("GET", "/api/events", headers={"Last-Event-ID": received[2][0]}) as response:
        for event_id, kind, data in iter_sse(response):
            resumed.append((event_id, kind, json.loads(data)))
            if kind in TERMINAL:
                break
    assert resumed == received[3:]
