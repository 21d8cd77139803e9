"""A ``Context`` for running provider node functions without the engine."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from nodes.sdk import MISSING, Cancelled
from orchestrator.prices import DEFAULT_PRICES
from tests.fake_context import CancellableContext


class FakeContext(CancellableContext):
    def __init__(self, settings: dict[str, Any] | None = None, *, attempt: int = 1) -> None:
        self.run_id, self.node_id, self.attempt, self.user_id = "r_test", "n", attempt, "u_test"
        self.settings = {"allow_private_urls": True, "provider_timeout_seconds": 10.0, "prices": DEFAULT_PRICES,
                         "FAL_POLL_INTERVAL": "0.01", **(settings or {})}
        self.events: list[tuple[float, str]] = []
        self.costs: dict[str, tuple[float, str]] = {}
        self.assets: dict[str, tuple[dict, bytes]] = {}
        self.stored_external_id: str | None = None
        self.models: dict[str, dict] = {}
        super().__init__()
        self.cancel_after_progress: int | None = None
        self._dir = Path(tempfile.mkdtemp(prefix="ff-fake-"))

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def progress(self, fraction: float, message: str = "") -> None:
        self.events.append((fraction, message))
        if self.cancel_after_progress is not None and len(self.events) >= self.cancel_after_progress:
            self.cancel.set()
        if self.cancel.is_set():
            raise Cancelled()

    def run_input(self, name: str) -> Any:
        return MISSING

    def setting(self, name: str, default: Any = None) -> Any:
        return self.settings.get(name, default)

    def temp_dir(self) -> Path:
        return self._dir

    def asset(self, asset_id: str) -> dict:
        return self.assets[asset_id][0]

    @contextmanager
    def open_asset(self, ref: dict):
        path = self._dir / f"open-{uuid.uuid4().hex}"
        path.write_bytes(self.assets[ref["asset_id"]][1])
        with path.open("rb") as handle:
            yield handle

    def asset_url(self, ref: dict) -> str:
        return f"https://assets.example/{ref['asset_id']}"

    def save_asset(self, source, content_type: str, *, filename: str | None = None) -> dict:
        data = Path(source).read_bytes() if isinstance(source, (str, Path)) else source.read()
        asset_id = "a_" + hashlib.sha256(data).hexdigest()[:12]
        ref = {"asset_id": asset_id, "url": f"https://assets.example/{asset_id}", "content_type": content_type,
               "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "filename": filename}
        self.assets[asset_id] = (ref, data)
        return ref

    def external_id(self) -> str | None:
        return self.stored_external_id

    def set_external_id(self, value: str | None) -> None:
        self.stored_external_id = value

    def suspend(self, poll_after: float) -> None:
        """No pollers here: the node waits for its job itself."""

    def job_webhook_url(self) -> str | None:
        return None

    def record_cost(self, amount: float, detail: str = "", *, key: str | None = None) -> None:
        self.costs.setdefault(key or f"k{len(self.costs)}", (amount, detail))

    def register_model(self, *, name: str, base_model: str, trigger_word: str, weights: dict) -> dict:
        model = {"id": f"m_{len(self.models)}", "name": name, "kind": "lora", "base_model": base_model,
                 "trigger_word": trigger_word, "weights": weights}
        self.models[model["id"]] = model
        return model

    def model(self, model_id: str) -> dict:
        return self.models[model_id]
