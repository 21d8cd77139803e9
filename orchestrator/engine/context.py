"""``NodeContext``: the engine's side of the node SDK's ``Context``.

A running node sees its run's inputs, the settings its type declares, an asset
store and the ledger's operations for its own claim (progress, cancellation,
external ids, costs); nothing else of the engine, and no setting it did not
declare (no database URL, no signing key).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Collection
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

from nodes.sdk import MISSING, Cancelled, NodeError, Suspended
from orchestrator.assets import AssetService
from orchestrator.engine.jobhooks import JobWebhooks
from orchestrator.engine.ledger import Claim, Ledger
from orchestrator.errors import NotFound
from orchestrator.library import Library

CANCEL_CHECK_INTERVAL = 0.25
"""Seconds between two looks at the run's cancel flag (``sleep`` wakes this often)."""


class NodeContext:
    def __init__(self, *, claim: Claim, ledger: Ledger, assets: AssetService | None, run_inputs: dict[str, Any],
                 settings: dict[str, Any], cancel_event: threading.Event, library: Library | None = None,
                 watched: Collection[str] = (), webhooks: JobWebhooks | None = None) -> None:
        self.run_id = claim.run_id
        self.node_id = claim.node_id
        self.attempt = claim.attempt
        self.user_id = claim.user_id
        self._claim = claim
        self._ledger = ledger
        self._assets = assets
        self._run_inputs = run_inputs
        self._settings = settings
        self._cancel_event = cancel_event
        self._library = library
        self._checked_at = 0.0
        self._temp: Path | None = None
        self._cost_seq = 0
        self._watched = watched
        """Schemes of external ids the engine's pollers can follow (``nodes.sdk.JobWatcher``)."""
        self._webhooks = webhooks
        self._external: str | None = None

    # -- progress and cancellation --------------------------------------------------

    def progress(self, fraction: float, message: str = "") -> None:
        fraction = min(1.0, max(0.0, float(fraction)))
        if not self._ledger.progress(self._claim, fraction, message):
            raise Cancelled()

    def cancelled(self) -> bool:
        if self._cancel_event.is_set():
            return True
        now = time.monotonic()
        if now - self._checked_at >= CANCEL_CHECK_INTERVAL:
            self._checked_at = now
            if self._ledger.cancel_requested(self.run_id):
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
        return self._settings.get(name, default)

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
        """A new asset with this run and node as its origin, expiring as the retention says (with a library)."""
        if self._library is not None:
            return self._library.assets.save_run_output(self.user_id, self.run_id, self.node_id, source,
                                                        content_type, filename)
        if isinstance(source, (str, Path)):
            return self._store().put_file(self.user_id, Path(source), content_type, filename=filename)
        return self._store().put_stream(self.user_id, source, content_type, filename=filename)

    # -- the library: the run's user's collections, hooks and models -------------------------

    def _lib(self) -> Library:
        if self._library is None:
            raise NodeError("no asset store is configured, so there is no library")
        return self._library

    def collection_items(self, collection_id: str) -> list[dict]:
        try:
            return self._lib().collections.references(self.user_id, collection_id)
        except LookupError:
            raise NodeError(f"collection {collection_id!r} does not exist") from None

    def hooks(self, category: str, limit: int | None = None) -> list[str]:
        try:
            return self._lib().hooks.texts(self.user_id, category, limit)
        except LookupError:
            raise NodeError(f"hooks category {category!r} does not exist (no hooks in it)") from None

    def model(self, model_id: str) -> dict:
        try:
            return self._lib().models.get(self.user_id, model_id)
        except NotFound:
            raise NodeError(f"model {model_id!r} does not exist") from None

    def register_model(self, *, name: str, base_model: str, trigger_word: str, weights: dict) -> dict:
        return self._lib().models.register(self.user_id, name=name, base_model=base_model,
                                           trigger_word=trigger_word, weights_id=weights["asset_id"],
                                           run_id=self.run_id, node_id=self.node_id)

    # -- provider bookkeeping -----------------------------------------------------------

    def external_id(self) -> str | None:
        self._external = self._ledger.external_id(self._claim)
        return self._external

    def set_external_id(self, value: str | None) -> None:
        self._ledger.set_external_id(self._claim, value)
        self._external = value

    def suspend(self, poll_after: float) -> None:
        """Raise ``Suspended`` when a poller can follow the recorded external job (the
        executor then records the node as suspended); otherwise return."""
        scheme = (self._external or "").partition(":")[0]
        if scheme and scheme in self._watched and not self.cancelled():
            raise Suspended(max(0.0, float(poll_after)))

    def job_webhook_url(self) -> str | None:
        return self._webhooks.url(self.run_id, self.node_id) if self._webhooks is not None else None

    def record_cost(self, amount: float, detail: str = "", *, key: str | None = None) -> None:
        """Charge ``amount`` USD once per ``key`` (default: once per call in this attempt)."""
        if key is None:
            self._cost_seq += 1
            key = f"attempt-{self.attempt}-{self._cost_seq}"
        self._ledger.record_cost(self._claim, amount, detail, key)
