"""Suspended nodes on the fast layer: the ledger on SQLite, the pollers called one pass
at a time with a watcher that the test drives, the dispatcher on a StubBroker."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from dramatiq.brokers.stub import StubBroker

from nodes.catalog import load_catalog
from nodes.sdk import JobState, TransientError
from orchestrator import settings as settings_module
from orchestrator.engine.broker import declare_actors
from orchestrator.engine.dispatch import Dispatcher
from orchestrator.engine.executor import RunCache
from orchestrator.engine.jobhooks import JobWebhooks
from orchestrator.engine.pollers import Pollers
from orchestrator.engine.queues import Task
from tests.engine.test_ledger import USER, log, node, start

GRAPH = {"version": 1, "nodes": [{"id": "job", "type": "fal.run", "params": {"app": "fal-ai/x"}},
                                 {"id": "after", "type": "text.join"}],
         "edges": [{"from": "job.result", "to": "after.parts"}]}


@dataclass
class ScriptedWatcher:
    """A ``JobWatcher`` whose answers the test sets; it records what it was asked."""

    scheme: str = "fake"
    settings: tuple[str, ...] = ()
    state: JobState | Exception = field(default_factory=lambda: JobState(False, 0.5, "half way", poll_after=0))
    checked: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def check(self, setting, external_id: str) -> JobState:
        self.checked.append(external_id)
        if isinstance(self.state, Exception):
            raise self.state
        return self.state

    def cancel(self, setting, external_id: str) -> None:
        self.cancelled.append(external_id)


@pytest.fixture
def broker():
    broker = StubBroker()
    declare_actors(broker, "q", lambda run_id, node_id: None)
    yield broker
    broker.close()


@pytest.fixture
def watcher():
    return ScriptedWatcher()


@pytest.fixture
def pollers(ledger, broker, watcher, tmp_path):
    settings = settings_module.load({"FUSIONFLOW_HOME": str(tmp_path), "FUSIONFLOW_POLLERS": "1"})
    catalog = load_catalog()
    return Pollers(ledger=ledger, dispatcher=Dispatcher(broker, "q", catalog), runs=RunCache(ledger, catalog),
                   watchers={"fake": watcher}, settings=settings)


def suspended(ledger, deadline_in: float = 600):
    """Start the run and suspend its first node on job ``fake:1``; returns (plan, claim)."""
    plan, _ = start(ledger, GRAPH)
    claim = ledger.claim("r_1", "job", USER)
    ledger.set_external_id(claim, "fake:1")
    assert ledger.suspend(claim, wake_at=time.time(), deadline=time.time() + deadline_in)
    return plan, claim


def test_a_suspended_node_holds_no_lease_and_one_poller_takes_it(ledger, db):
    _, claim = suspended(ledger)
    row = node(db, "job")
    assert (row.status, row.lease_until, row.attempts) == ("running", None, 1)
    assert [kind for kind, _ in log(db)][-1] == "node.started"  # the start is in the log before it waits
    assert ledger.stranded(queued_for=0) == []  # no lease to run out: recovery leaves it to the pollers
    taken = ledger.due_jobs(10, hold_seconds=60)
    assert [(j.node_id, j.attempt, j.external_id) for j in taken] == [("job", 1, "fake:1")]
    assert ledger.due_jobs(10, hold_seconds=60) == []  # held by the first poller
    assert not ledger.renew_leases([claim]) and node(db, "job").lease_until is None


def test_a_job_still_going_records_progress_and_one_that_ended_resumes_the_same_attempt(
        ledger, db, pollers, watcher, broker):
    suspended(ledger)
    assert pollers.poll_once() == 1
    kind, data = log(db)[-1]
    assert (kind, data["node_id"], data["progress"], data["message"]) == ("node.progress", "job", 0.5, "half way")
    pollers.poll_once()  # the same answer again: no new event
    assert [kind for kind, _ in log(db)].count("node.progress") == 1
    assert broker.queues["q.long"].qsize() == 0

    watcher.state = JobState(done=True)
    assert pollers.poll_once() == 1
    assert broker.queues["q.long"].qsize() == 1  # sent to a long worker thread to take the result
    assert ledger.stranded(queued_for=0) == [Task("r_1", "job", "fal.run")]  # and sent again if that message is lost
    resumed = ledger.claim("r_1", "job", USER)
    assert resumed.resumed and resumed.attempt == 1 and resumed.announced
    assert ledger.claim("r_1", "job", USER) is None  # a duplicate message finds it taken
    row = node(db, "job")
    assert row.wake_at is None and row.lease_until is not None and row.progress == 0.5


def test_a_provider_that_cannot_be_asked_is_asked_again_later(ledger, db, pollers, watcher):
    suspended(ledger)
    watcher.state = TransientError("fal is down")
    assert pollers.poll_once() == 1
    assert node(db, "job").wake_at > time.time() + 1  # looked at again in a few seconds
    assert node(db, "job").status == "running"


def test_cancelling_the_run_cancels_the_job_at_the_provider(ledger, db, pollers, watcher):
    suspended(ledger)
    ledger.due_jobs(10, hold_seconds=600)  # even while a poller holds it
    assert ledger.cancel("r_1", USER)
    assert node(db, "job").wake_at == 0.0  # looked at at once
    pollers.poll_once()
    assert watcher.cancelled == ["fake:1"] and watcher.checked == []
    assert node(db, "job").status == "cancelled"
    assert [kind for kind, _ in log(db)][-1] == "run.cancelled"


def test_a_job_past_its_time_limit_fails_the_node_and_is_cancelled(ledger, db, pollers, watcher):
    suspended(ledger, deadline_in=-1)
    pollers.poll_once()
    assert watcher.cancelled == ["fake:1"]
    row = node(db, "job")
    assert row.status == "failed" and row.error["type"] == "timeout" and "time limit" in row.error["message"]
    assert node(db, "after").status == "skipped"
    assert [kind for kind, _ in log(db)][-1] == "run.failed"


def test_a_resumed_claim_keeps_the_deadline_it_started_with(ledger, pollers, watcher):
    _, claim = suspended(ledger, deadline_in=600)
    watcher.state = JobState(done=True)
    pollers.poll_once()
    resumed = ledger.claim("r_1", "job", USER)
    assert resumed.deadline == pytest.approx(time.time() + 600, abs=5)


def test_suspended_nodes_do_not_count_against_the_users_running_cap(ledger):
    graph = {"version": 1, "nodes": [{"id": "job", "type": "fal.run", "params": {"app": "fal-ai/x"}},
                                     {"id": "other", "type": "text.join"}], "edges": []}
    start(ledger, graph)
    claim, capped = ledger.claim_within("r_1", "job", USER, cap=1)
    assert claim is not None and not capped
    assert ledger.claim_within("r_1", "other", USER, cap=1) == (None, True)
    ledger.set_external_id(claim, "fake:1")
    ledger.suspend(claim, wake_at=time.time() + 60, deadline=time.time() + 600)
    taken, capped = ledger.claim_within("r_1", "other", USER, cap=1)
    assert taken is not None and not capped


def test_a_webhook_makes_the_job_due_now_and_only_a_signed_token_names_a_node(ledger, db):
    plan, _ = start(ledger, GRAPH)
    claim = ledger.claim("r_1", "job", USER)
    ledger.suspend(claim, wake_at=time.time() + 3600, deadline=time.time() + 7200)
    hooks = JobWebhooks("https://ff.example", b"k" * 32)
    url = hooks.url("r_1", "job")
    token = url.rsplit("/", 1)[1]
    assert url.startswith("https://ff.example/api/job-webhooks/") and hooks.verify(token) == ("r_1", "job")
    assert ledger.wake(*hooks.verify(token)) and node(db, "job").wake_at == 0.0
    assert ledger.due_jobs(10, hold_seconds=60)[0].node_id == "job"
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert hooks.verify(forged) is None
    assert JobWebhooks("https://ff.example", b"x" * 32).verify(token) is None  # another key
    assert hooks.verify(hooks.token("r_1", "after")) == ("r_1", "after")  # ids of any shape round-trip
    assert not ledger.wake("r_1", "after")  # not suspended: nothing to wake
    assert JobWebhooks(None, b"k" * 32).url("r_1", "job") is None  # no public address, no webhook


def test_a_webhook_during_a_look_is_not_lost(ledger, db, pollers, watcher):
    suspended(ledger)
    [job] = ledger.due_jobs(10, hold_seconds=60)
    assert ledger.wake("r_1", "job")  # fal calls while the poller is asking it
    ledger.jobs_waiting([(job, time.time() + 300, None, "still going")])
    assert node(db, "job").wake_at == 0.0  # looked at again at once, not in 5 minutes
