"""``NodeContext``: the engine's side of the node SDK's ``Context``."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from nodes.sdk import MISSING, Cancelled, NodeError
from orchestrator.assets import AssetService
from orchestrator.engine.scheduler import HELD, Claim, Scheduler, held_params
from orchestrator.settings import Settings
from orchestrator.store.db import Database
from orchestrator.store.ids import now_iso
from orchestrator.store.models import cost_records, run_nodes, runs

CANCEL_CHECK_INTERVAL = 0.25
"""Seconds between two looks at the run's cancel flag (``sleep`` wakes this often)."""


class NodeContext:
    def __init__(self, *, claim: Claim, db: Database, scheduler: Scheduler, settings: Settings,
                 assets: AssetService | None, inputs: dict[str, Any], cancel_event: threading.Event) -> None:
        self.run_id = claim.run_id
        self.node_id = claim.node_id
        self.attempt = claim.attempt
        self.user_id = claim.user_id
        self._claim = claim
        self._db = db
        self._scheduler = scheduler
        self._settings = settings
        self._assets = assets
        self._run_inputs = inputs
        self._cancel_event = cancel_event
        self._checked_at = 0.0
        self._temp: Path | None = None
        self._cost_seq = 0

    # -- progress and cancellation --------------------------------------------------

    def progress(self, fraction: float, message: str = "") -> None:
        fraction = min(1.0, max(0.0, float(fraction)))
        if not self._scheduler.progress(self._claim, fraction, message):
            raise Cancelled()

    def cancelled(self) -> bool:
        if self._cancel_event.is_set():
            return True
        now = time.monotonic()
        if now - self._checked_at >= CANCEL_CHECK_INTERVAL:
            self._checked_at = now
            with self._db.read() as conn:
                if conn.execute(select(runs.c.cancel_requested).where(runs.c.id == self.run_id)).scalar():
                    self._cancel_event.set()
        return self._cancel_event.is_set()

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            self.check_cancelled()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._cancel_event.wait(min(remaining, CANCEL_CHECK_INTERVAL))

    # -- inputs and settings ----------------------------------------------------------

    def run_input(self, name: str) -> Any:
        return self._run_inputs.get(name, MISSING)

    def setting(self, name: str, default: Any = None) -> Any:
        if name == "prices":
            return self._settings.prices
        if hasattr(self._settings, name):
            return getattr(self._settings, name)
        return self._settings.setting(name, default)

    def temp_dir(self) -> Path:
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix=f"ff-{self.node_id}-"))
        return self._temp

    def cleanup(self) -> None:
        if self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None

    # -- assets -----------------------------------------------------------------------

    def _store(self) -> AssetService:
        if self._assets is None:
            raise NodeError("no asset store is configured")
        return self._assets

    def asset(self, asset_id: str) -> dict:
        ref = self._store().get(self.user_id, asset_id)
        if ref is None:
            raise NodeError(f"asset {asset_id!r} does not exist")
        return ref

    def open_asset(self, ref: dict) -> AbstractContextManager[IO[bytes]]:
        return self._store().open(self.user_id, ref)

    def asset_path(self, ref: dict) -> AbstractContextManager[Path]:
        return self._store().local_path(self.user_id, ref)

    def asset_url(self, ref: dict) -> str:
        return self._store().url(self.user_id, ref)

    def save_asset(self, source: Path | IO[bytes], content_type: str, *, filename: str | None = None) -> dict:
        if isinstance(source, (str, Path)):
            return self._store().put_file(self.user_id, Path(source), content_type, filename=filename)
        return self._store().put_stream(self.user_id, source, content_type, filename=filename)

    # -- provider bookkeeping -----------------------------------------------------------

    def external_id(self) -> str | None:
        with self._db.read() as conn:
            return conn.execute(select(run_nodes.c.external_id).where(
                run_nodes.c.run_id == self.run_id, run_nodes.c.node_id == self.node_id)).scalar()

    def set_external_id(self, value: str | None) -> None:
        with self._db.write() as conn:
            conn.execute(update(run_nodes).where(*HELD).values(external_id=value), held_params(self._claim))

    def record_cost(self, amount: float, detail: str = "", *, key: str | None = None) -> None:
        """Charge ``amount`` USD once per ``key`` (default: once per call in this attempt)."""
        if key is None:
            self._cost_seq += 1
            key = f"attempt-{self.attempt}-{self._cost_seq}"
        try:
            with self._db.write() as conn:
                conn.execute(cost_records.insert().values(
                    run_id=self.run_id, node_id=self.node_id, key=key, user_id=self.user_id,
                    amount=amount, detail=detail, created_at=now_iso()))
                conn.execute(update(run_nodes).where(run_nodes.c.run_id == self.run_id,
                                                     run_nodes.c.node_id == self.node_id)
                             .values(cost=run_nodes.c.cost + amount))
                conn.execute(update(runs).where(runs.c.id == self.run_id).values(cost=runs.c.cost + amount))
        except IntegrityError:
            pass  # already charged for this key
