"""The fast layer: the ledger on SQLite with a recording bus, the dispatcher on a
StubBroker. No server, no worker: each transition is called directly."""

from __future__ import annotations

import time

import msgspec
from dramatiq.brokers.stub import StubBroker
from dramatiq.message import Message
from sqlalchemy import select, update

from nodes.catalog import load_catalog
from orchestrator.engine.broker import declare_actors
from orchestrator.engine.cachekeys import plan_signatures
from orchestrator.engine.dispatch import Dispatcher
from orchestrator.engine.ledger import Ledger
from orchestrator.engine.queues import Task
from orchestrator.graph.plan import build_plan
from orchestrator.graph.spec import graph_from_builtins
from orchestrator.store import eventlog
from orchestrator.store.db import Database
from orchestrator.store.models import run_nodes, runs
from orchestrator.store.users import LOCAL_USER_ID

USER = LOCAL_USER_ID


def chain(length: int) -> dict:
    nodes = [{"id": "n0", "type": "input.text", "params": {"default": "a"}}]
    nodes += [{"id": f"n{i}", "type": "text.join", "params": {"separator": ""}} for i in range(1, length)]
    edges = [{"from": f"n{i - 1}.text", "to": f"n{i}.parts"} for i in range(1, length)]
    return {"version": 1, "nodes": nodes, "edges": edges}


def fan() -> dict:
    return {"version": 1,
            "nodes": [{"id": "src", "type": "input.text"}, {"id": "a", "type": "text.join"},
                      {"id": "b", "type": "text.join"}, {"id": "sink", "type": "text.join"}],
            "edges": [{"from": "src.text", "to": "a.parts"}, {"from": "src.text", "to": "b.parts"},
                      {"from": "a.text", "to": "sink.parts"}, {"from": "b.text", "to": "sink.parts"}]}


def start(ledger: Ledger, graph: dict, run_id: str = "r_1", **kwargs):
    plan = build_plan(graph_from_builtins(graph))
    ready = ledger.create_run(run_id=run_id, user_id=USER, plan=plan, graph=graph, inputs={}, graph_id=None,
                              graph_version=None, use_cache=True, **kwargs)
    return plan, ready


def log(db: Database, run_id: str = "r_1") -> list[tuple[str, dict]]:
    with db.read() as conn:
        return [(e.type, msgspec.json.decode(e.data)) for e in eventlog.read_run(conn, run_id, 0)]


def node(db: Database, node_id: str, run_id: str = "r_1"):
    with db.read() as conn:
        return conn.execute(select(run_nodes).where(run_nodes.c.run_id == run_id,
                                                    run_nodes.c.node_id == node_id)).one()


def test_a_new_run_queues_its_roots_and_tells_the_bus(ledger, db, bus):
    _, ready = start(ledger, fan())
    assert ready == ["src"]
    assert [t for t, _ in log(db)] == ["run.started", "node.queued"]
    assert node(db, "src").status == "queued" and node(db, "sink").status == "pending"
    assert node(db, "sink").pending == 2
    assert bus.notes[-1].seq == 2


def test_a_fast_node_writes_its_start_with_its_outcome_in_one_transaction(ledger, db, bus):
    plan, _ = start(ledger, fan())
    claim = ledger.claim("r_1", "src", USER)
    assert claim.attempt == 1
    assert [t for t, _ in log(db)] == ["run.started", "node.queued"]  # the claim wrote no event
    notes_before = len(bus.notes)
    outcome = ledger.succeed(claim, plan, {"text": ""}, cached=False, inline=True)
    assert len(bus.notes) == notes_before + 1
    assert outcome.inline.node_id == "a" and outcome.dispatch == ["b"]
    types = [(t, d.get("node_id")) for t, d in log(db)][2:]
    assert types == [("node.started", "src"), ("node.succeeded", "src"), ("node.queued", "a"), ("node.queued", "b")]
    assert [d["seq"] for _, d in log(db)] == list(range(1, 7))


def test_a_slow_node_is_announced_once_before_its_progress_and_outcome(ledger, db):
    plan, _ = start(ledger, chain(2))
    claim = ledger.claim("r_1", "n0", USER)
    ledger.announce(claim)
    ledger.announce(claim)
    assert ledger.progress(claim, 0.5, "half")
    ledger.succeed(claim, plan, {"text": "a"}, cached=False, inline=False)
    started = [d for t, d in log(db) if t == "node.started"]
    assert started == [{"run_id": "r_1", "seq": 3, "ts": started[0]["ts"], "node_id": "n0", "attempt": 1}]
    assert [t for t, _ in log(db)][2:] == ["node.started", "node.progress", "node.succeeded", "node.queued"]


def test_a_worker_that_lost_its_lease_cannot_write_over_its_successor(ledger, db):
    plan, _ = start(ledger, chain(2))
    stale = ledger.claim("r_1", "n0", USER)
    with db.write() as conn:  # its lease runs out (the worker hung or was cut off)
        conn.execute(update(run_nodes).where(run_nodes.c.node_id == "n0").values(lease_until=time.time() - 1))
    fresh = ledger.claim("r_1", "n0", USER)
    assert fresh.attempt == 2

    assert not ledger.progress(stale, 0.9, "late")
    assert not ledger.succeed(stale, plan, {"text": "stale"}, cached=False, inline=True).recorded
    ledger.fail(stale, plan, {"type": "node_error", "message": "stale"})
    assert not ledger.retry(stale, {"type": "transient", "message": "stale"}, 10)
    assert node(db, "n0").status == "running"

    assert ledger.succeed(fresh, plan, {"text": "fresh"}, cached=False, inline=False).recorded
    row = node(db, "n0")
    assert (row.status, row.outputs, row.attempts) == ("succeeded", {"text": "fresh"}, 2)
    assert [d.get("attempt") for t, d in log(db) if t == "node.started"] == [2]


def test_a_transition_that_arrives_twice_does_nothing_the_second_time(ledger, db):
    plan, _ = start(ledger, chain(3))
    claim = ledger.claim("r_1", "n0", USER)
    assert ledger.claim("r_1", "n0", USER) is None  # a redelivered message finds it taken
    first = ledger.succeed(claim, plan, {"text": "a"}, cached=False, inline=False)
    again = ledger.succeed(claim, plan, {"text": "a"}, cached=False, inline=False)
    assert first.dispatch == ["n1"] and not again.recorded and again.dispatch == []
    assert node(db, "n1").status == "queued"


def test_a_run_ends_once_even_if_its_nodes_were_counted_finished_again(ledger, db):
    plan, _ = start(ledger, chain(2))
    claim = ledger.claim("r_1", "n0", USER)
    ledger.fail(claim, plan, {"type": "node_error", "message": "no"})
    with db.write() as conn:  # a miscount: the ended run looks as if one node were still to finish
        conn.execute(update(runs).where(runs.c.id == "r_1").values(nodes_left=1))
        ledger._finish_nodes(conn, "r_1", USER, [], nodes_done=1, plan=plan)
    with db.read() as conn:
        assert conn.execute(select(runs.c.status).where(runs.c.id == "r_1")).scalar_one() == "failed"
    assert [t for t, _ in log(db) if t.startswith("run.")] == ["run.started", "run.failed"]


def test_a_failed_node_skips_its_descendants_and_ends_the_run(ledger, db):
    plan, _ = start(ledger, chain(3))
    claim = ledger.claim("r_1", "n0", USER)
    ledger.fail(claim, plan, {"type": "node_error", "message": "no"})
    assert [(t, d.get("node_id")) for t, d in log(db)][2:] == [
        ("node.started", "n0"), ("node.failed", "n0"), ("node.skipped", "n1"), ("node.skipped", "n2"),
        ("run.failed", None)]


def test_cache_hits_known_at_submission_finish_the_run_without_a_worker(ledger, db):
    graph = chain(5)
    plan = build_plan(graph_from_builtins(graph))
    signatures = plan_signatures(plan, load_catalog(), {})
    assert set(signatures) == set(plan.order)
    for node_id, key in signatures.items():
        ledger.remember(USER, key, {"text": f"cached {node_id}"})

    _, ready = start(ledger, graph, signatures=signatures)
    assert ready == []
    with db.read() as conn:
        status, outputs = conn.execute(select(runs.c.status, runs.c.outputs)).one()
    assert status == "succeeded" and outputs == {"n4": {"text": "cached n4"}}
    row = node(db, "n2")
    assert (row.status, row.cached, row.attempts, row.outputs) == ("succeeded", True, 0, {"text": "cached n2"})
    assert [t for t, _ in log(db)] == ["run.started"] + ["node.succeeded"] * 5 + ["run.succeeded"]


def test_a_partial_hit_runs_from_the_first_miss(ledger, db):
    graph = chain(4)
    plan = build_plan(graph_from_builtins(graph))
    signatures = plan_signatures(plan, load_catalog(), {})
    for node_id in ("n0", "n1", "n3"):  # n2 misses, so n3 must run after it, not from the cache
        ledger.remember(USER, signatures[node_id], {"text": node_id})
    _, ready = start(ledger, graph, signatures=signatures)
    assert ready == ["n2"]
    assert [node(db, n).status for n in plan.order] == ["succeeded", "succeeded", "queued", "pending"]


def test_signatures_change_with_params_inputs_and_everything_upstream():
    catalog = load_catalog()
    graph = chain(3)
    base = plan_signatures(build_plan(graph_from_builtins(graph)), catalog, {})
    other_input = plan_signatures(build_plan(graph_from_builtins(graph)), catalog, {"n0": "b"})
    graph["nodes"][1]["params"]["separator"] = "-"
    edited = plan_signatures(build_plan(graph_from_builtins(graph)), catalog, {})
    assert other_input["n0"] != base["n0"] and other_input["n2"] != base["n2"]
    assert edited["n0"] == base["n0"] and edited["n1"] != base["n1"] and edited["n2"] != base["n2"]


def test_a_generator_without_a_seed_has_no_signature_nor_do_its_descendants():
    graph = {"version": 1, "nodes": [{"id": "p", "type": "input.text"},
                                     {"id": "img", "type": "image.generate", "params": {"width": 64, "height": 64}},
                                     {"id": "seeded", "type": "image.generate", "params": {"seed": 3}}],
             "edges": [{"from": "p.text", "to": "img.prompt"}, {"from": "p.text", "to": "seeded.prompt"}]}
    found = plan_signatures(build_plan(graph_from_builtins(graph)), load_catalog(), {})
    assert set(found) == {"p", "seeded"}


QUEUES = ("q", "q.high", "q.low", "q.long", "q.long.high", "q.long.low")


def dispatcher_on_stub() -> tuple[Dispatcher, StubBroker]:
    broker = StubBroker()
    declare_actors(broker, "q", lambda run_id, node_id: None)
    return Dispatcher(broker, "q", load_catalog()), broker


def sent(broker: StubBroker, queue: str) -> list[tuple[str, tuple, dict]]:
    """The messages waiting in ``queue`` (taken off it): actor, args, kwargs."""
    messages = []
    while not broker.queues[queue].empty():
        message = Message.decode(broker.queues[queue].get_nowait())
        messages.append((message.actor_name, tuple(message.args), message.kwargs))
    return messages


def test_the_dispatcher_sends_ids_only_on_the_broker():
    dispatcher, broker = dispatcher_on_stub()
    dispatcher.send_all([Task("r_1", "a", "text.join"), Task("r_1", "b", "text.join")])
    dispatcher.resend([Task("r_2", "c", "text.join")])
    assert sent(broker, "q") == [("execute_node", ("r_1", "a"), {}), ("execute_node", ("r_1", "b"), {}),
                                 ("execute_node", ("r_2", "c"), {})]


def test_each_node_goes_to_the_queue_of_its_kind_and_its_runs_priority():
    dispatcher, broker = dispatcher_on_stub()
    dispatcher.send_all([Task("r", "join", "text.join", "high"), Task("r", "wait", "flow.wait", "high"),
                         Task("r", "fal", "fal.run", "normal"), Task("r", "img", "image.generate", "low"),
                         Task("r", "gone", "no.such.type", "normal")])
    assert {queue: [args[1] for _, args, _ in sent(broker, queue)] for queue in QUEUES} == {
        "q": ["gone"], "q.high": ["join"], "q.low": [], "q.long": ["fal"], "q.long.high": ["wait"], "q.long.low": ["img"]}


def test_queues_are_taken_high_first_by_their_actors_priority():
    _, broker = dispatcher_on_stub()
    ranks = {actor.queue_name: actor.priority for actor in broker.actors.values()}
    for kind in ("q", "q.long"):
        assert ranks[f"{kind}.high"] < ranks[kind] < ranks[f"{kind}.low"]  # Dramatiq: lower is taken first


def test_recovery_sends_each_stranded_node_to_its_kinds_queue_at_its_runs_priority(ledger, db):
    graph = {"version": 1, "nodes": [{"id": "join", "type": "text.join"},
                                     {"id": "wait", "type": "flow.wait", "params": {"seconds": 0}}], "edges": []}
    start(ledger, graph, "r_high", columns={"priority": "high"})
    start(ledger, graph, "r_low", columns={"priority": "low"})
    claim = ledger.claim("r_low", "wait", USER)
    with db.write() as conn:  # its worker died: the lease runs out
        conn.execute(update(run_nodes).where(run_nodes.c.run_id == "r_low", run_nodes.c.node_id == "wait")
                     .values(lease_until=time.time() - 1))
    time.sleep(0.01)
    dispatcher, broker = dispatcher_on_stub()
    stranded = ledger.stranded(queued_for=0)
    assert sorted(stranded) == [Task("r_high", "join", "text.join", "high"), Task("r_high", "wait", "flow.wait", "high"),
                                Task("r_low", "join", "text.join", "low"), Task("r_low", "wait", "flow.wait", "low")]
    dispatcher.resend(stranded)
    assert {queue: sorted(args for _, args, _ in sent(broker, queue)) for queue in QUEUES} == {
        "q.high": [("r_high", "join")], "q.long.high": [("r_high", "wait")], "q.low": [("r_low", "join")],
        "q.long.low": [("r_low", "wait")], "q": [], "q.long": []}
    assert ledger.claim("r_low", "wait", USER).attempt == claim.attempt + 1


def test_a_success_runs_inline_only_a_successor_its_filter_accepts(ledger, db):
    graph = {"version": 1, "nodes": [{"id": "src", "type": "input.text", "params": {"default": "a"}},
                                     {"id": "wait", "type": "flow.wait"}, {"id": "join", "type": "text.join"}],
             "edges": [{"from": "src.text", "to": "wait.value"}, {"from": "src.text", "to": "join.parts"}]}
    plan, _ = start(ledger, graph)
    claim = ledger.claim("r_1", "src", USER)
    outcome = ledger.succeed(claim, plan, {"text": "a"}, cached=False, inline=lambda node_id: node_id == "join")
    assert outcome.inline.node_id == "join" and outcome.dispatch == ["wait"]
    assert [node(db, n).status for n in ("src", "wait", "join")] == ["succeeded", "queued", "running"]


def test_an_instant_node_is_claimed_and_recorded_in_one_transaction_once(ledger, db, bus):
    plan, _ = start(ledger, chain(3))
    notes = len(bus.notes)
    first = ledger.succeed_unclaimed("r_1", "n0", USER, plan, {"text": "a"}, inline=False, cache_key="k0")
    assert first.recorded and first.dispatch == ["n1"] and len(bus.notes) == notes + 1
    again = ledger.succeed_unclaimed("r_1", "n0", USER, plan, {"text": "a"}, inline=False)
    assert not again.recorded  # a redelivered message ran it again: nothing is written twice
    row = node(db, "n0")
    assert (row.status, row.attempts, row.outputs) == ("succeeded", 1, {"text": "a"})
    assert [t for t, d in log(db) if d.get("node_id") == "n0"] == ["node.queued", "node.started", "node.succeeded"]
    assert ledger.cached(USER, "k0") == {"text": "a"}


def test_an_instant_node_taken_or_cancelled_meanwhile_is_not_recorded(ledger, db):
    plan, _ = start(ledger, fan())
    claim = ledger.claim("r_1", "src", USER)
    assert not ledger.succeed_unclaimed("r_1", "src", USER, plan, {"text": "x"}, inline=True).recorded
    ledger.succeed(claim, plan, {"text": ""}, cached=False, inline=False)
    ledger.cancel("r_1", USER)
    assert not ledger.succeed_unclaimed("r_1", "a", USER, plan, {"text": "x"}, inline=True).recorded
    assert node(db, "a").status == "cancelled"


def test_storing_a_key_another_run_stored_first_keeps_the_first_and_records_the_node(ledger, db):
    plan, _ = start(ledger, chain(2))
    ledger.remember(USER, "shared", {"text": "first"})
    claim = ledger.claim("r_1", "n0", USER)
    assert ledger.succeed(claim, plan, {"text": "second"}, cached=False, inline=False, cache_key="shared").recorded
    assert ledger.cached(USER, "shared") == {"text": "first"}
    assert node(db, "n0").outputs == {"text": "second"}


def mapped() -> dict:
    return {"version": 1, "nodes": [{"id": "src", "type": "input.text"}, {"id": "batch", "type": "text.join"},
                                    {"id": "after", "type": "text.join"}],
            "edges": [{"from": "src.text", "to": "batch.parts"}, {"from": "batch.text", "to": "after.parts"}]}


def test_a_mapped_node_waits_on_its_executions_and_is_due_to_gather_after_the_last(ledger, db):
    from orchestrator.graph.plan import with_child

    plan, _ = start(ledger, mapped())
    ledger.succeed(ledger.claim("r_1", "src", USER), plan, {"text": "x"}, cached=False, inline=False)
    parent = ledger.claim("r_1", "batch", USER)
    children = ledger.expand(parent, 3)
    assert children == ["batch[0]", "batch[1]", "batch[2]"]
    assert ledger.mapped_count(parent) == 3
    due = None
    for child in children:
        outcome = ledger.succeed(ledger.claim("r_1", child, USER), with_child(plan, child), {"text": child},
                                 cached=False, inline=True)
        assert outcome.recorded and outcome.dispatch == []
        due = outcome.inline
    assert due is not None and due.gather and due.node_id == "batch"
    done = ledger.succeed(due, plan, {"text": "gathered"}, cached=False, inline=False)
    assert done.dispatch == ["after"]
    progress = [d["message"] for t, d in log(db) if t == "node.progress" and d["node_id"] == "batch"]
    assert progress == ["0 of 3", "1 of 3", "2 of 3", "3 of 3"]
    with db.read() as conn:
        assert conn.execute(select(runs.c.nodes_left)).scalar_one() == 1  # only "after" is left


def test_a_failed_execution_fails_its_mapped_node_and_skips_what_follows(ledger, db):
    from orchestrator.graph.plan import with_child

    plan, _ = start(ledger, mapped())
    ledger.succeed(ledger.claim("r_1", "src", USER), plan, {"text": "x"}, cached=False, inline=False)
    children = ledger.expand(ledger.claim("r_1", "batch", USER), 2)
    ledger.fail(ledger.claim("r_1", children[1], USER), with_child(plan, children[1]),
                {"type": "node_error", "message": "bad video"})
    assert node(db, "batch").status == "failed" and "item 1 (batch[1]) failed: bad video" in node(db, "batch").error["message"]
    assert node(db, "after").status == "skipped"
    late = ledger.succeed(ledger.claim("r_1", children[0], USER), with_child(plan, children[0]), {"text": "ok"},
                          cached=False, inline=True)
    assert late.recorded and late.inline is None
    with db.read() as conn:
        assert conn.execute(select(runs.c.status)).scalar_one() == "failed"


def test_cancelling_a_run_cancels_a_mapped_node_waiting_on_its_executions(ledger, db):
    plan, _ = start(ledger, mapped())
    ledger.succeed(ledger.claim("r_1", "src", USER), plan, {"text": "x"}, cached=False, inline=False)
    ledger.expand(ledger.claim("r_1", "batch", USER), 2)
    assert ledger.cancel("r_1", USER)
    assert {n: node(db, n).status for n in ("batch", "batch[0]", "batch[1]", "after")} == {
        "batch": "cancelled", "batch[0]": "cancelled", "batch[1]": "cancelled", "after": "cancelled"}
    with db.read() as conn:
        assert conn.execute(select(runs.c.status)).scalar_one() == "cancelled"
