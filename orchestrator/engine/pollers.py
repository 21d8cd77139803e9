"""Pollers: follow the external jobs of suspended nodes, so that no worker thread waits.

A node waiting on a provider's job (a fal queue request, an hour of LoRA training)
records the job's id and suspends (``Context.suspend``): the ledger keeps its row
``running`` with a time for the next look (``wake_at``) and no lease, and its worker
thread takes other work. In every process that runs nodes, a few poller threads take
the due rows (``Ledger.due_jobs``: each row goes to one poller, across processes) and
ask each job's ``JobWatcher`` how it stands:

- still going: its progress is recorded and the next look set (``jobs_waiting``, one
  transaction for the whole batch);
- ended (well or not): the node is marked due to resume and sent to a worker, where its
  function runs again, finds its external id and takes the result (``job_ended``);
- its run was cancelled, or its time limit passed: the job is cancelled at the provider
  and the node recorded ``cancelled`` or failed with ``timeout``.

A provider's webhook (``orchestrator.engine.jobhooks``) moves a node's next look to now.
Nothing lives only in memory: a poller that dies leaves its rows to another one within
the lease (``FUSIONFLOW_LEASE_SECONDS``), and a resume message that is lost is sent again
by recovery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from nodes.sdk import JobWatcher
from orchestrator.engine.dispatch import Dispatcher
from orchestrator.engine.executor import RunCache, time_limit_error
from orchestrator.engine.ledger import Job, Ledger
from orchestrator.settings import Settings

log = logging.getLogger(__name__)

TICK_SECONDS = 0.1
"""How often an idle poller looks for due jobs (a webhook's wake-up waits at most this)."""
JOBS_PER_THREAD = 25
"""Jobs taken per poller thread in one pass."""
RETRY_SECONDS = 5.0
"""When a provider could not be asked, the next look comes this much later."""

Look = tuple[Job, float, float | None, str]


class Pollers:
    def __init__(self, *, ledger: Ledger, dispatcher: Dispatcher, runs: RunCache,
                 watchers: Mapping[str, JobWatcher], settings: Settings) -> None:
        self.ledger = ledger
        self.dispatcher = dispatcher
        self.runs = runs
        self.watchers = watchers
        self.settings = settings
        self.threads = settings.pollers
        self._views = {scheme: {**settings.node_view(w.settings), "job_webhooks": bool(settings.public_url)}
                       for scheme, w in watchers.items()}
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="fusionflow-poller")
        self._thread = threading.Thread(target=self._loop, name="fusionflow-pollers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def poll_once(self) -> int:
        """Look at every due job (up to one batch); returns how many were looked at."""
        # a batch is this poller's for one lease (L): if it dies, another takes the batch within L
        jobs = self.ledger.due_jobs(self.threads * JOBS_PER_THREAD, self.settings.lease_seconds)
        if not jobs:
            return 0
        looks = list(self._pool.map(self._look, jobs)) if self._pool is not None else [self._look(j) for j in jobs]
        self.ledger.jobs_waiting([look for look in looks if look is not None])
        return len(jobs)

    def _loop(self) -> None:
        busy = False
        while not self._stop.wait(0 if busy else TICK_SECONDS):
            try:
                busy = self.poll_once() > 0
            except Exception:
                busy = False
                log.exception("polling suspended nodes failed; trying again")
                self._stop.wait(1.0)

    def _look(self, job: Job) -> Look | None:
        """One job: what to record for it when it is still going (else None: done here)."""
        watcher = self.watchers.get(job.external_id.partition(":")[0])
        if watcher is None:  # not a job this process can follow: the node's own function will
            self._resume(job)
            return None
        setting = self._setting(watcher)
        if job.cancel_requested or time.time() > job.deadline:
            self._stop_job(job, watcher, setting)
            return None
        try:
            state = watcher.check(setting, job.external_id)
        except Exception as exc:
            log.warning("could not look at %s of %s/%s (%s: %s); looking again in %.0f s", job.external_id,
                        job.run_id, job.node_id, type(exc).__name__, exc, RETRY_SECONDS)
            return job, time.time() + RETRY_SECONDS, None, job.message or ""
        if state.done:
            self._resume(job)
            return None
        return job, time.time() + state.poll_after, state.progress, state.message

    def _resume(self, job: Job) -> None:
        if self.ledger.job_ended(job):
            info = self.runs.get(job.run_id)
            if info is not None:
                self.dispatcher.send(info.task(job.node_id))

    def _stop_job(self, job: Job, watcher: JobWatcher, setting) -> None:
        try:
            watcher.cancel(setting, job.external_id)
        except Exception as exc:  # best effort: the node ends either way
            log.warning("could not cancel %s (%s: %s)", job.external_id, type(exc).__name__, exc)
        if job.cancel_requested:
            self.ledger.cancelled(job.claim())
            return
        info = self.runs.get(job.run_id)
        if info is not None:
            self.ledger.fail(job.claim(), info.plan_for(job.node_id), time_limit_error(job.node_id))

    def _setting(self, watcher: JobWatcher):
        view: dict[str, Any] = self._views[watcher.scheme]
        return lambda name, default=None: view.get(name, default)
