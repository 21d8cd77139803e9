"""The model catalog a server answers with: the shipped snapshot, then fal's live list."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Literal

import httpx
import msgspec

from orchestrator.errors import InvalidRequest
from orchestrator.model_catalog import fal
from orchestrator.periodic import Periodic
from orchestrator.settings import Settings

log = logging.getLogger(__name__)

SNAPSHOT = Path(__file__).with_name("fal_snapshot.json")
REFRESH_TIMEOUT = 20
"""Seconds for each page of fal's model list."""


class CatalogModel(msgspec.Struct):
    id: str
    """The provider's id of the model endpoint (``fal-ai/flux/dev``)."""
    provider: str
    title: str
    category: str
    description: str
    input_schema: dict[str, Any]
    """The JSON Schema of the model's input."""


class ModelList(msgspec.Struct):
    models: list[CatalogModel]
    next_cursor: str | None
    source: Literal["snapshot", "fal"]
    """Where the list comes from: the snapshot shipped in the package, or fal's live list."""


def load_snapshot(path: Path = SNAPSHOT) -> list[dict]:
    return json.loads(path.read_text())["models"]


def matches(model: dict, words: list[str], category: str | None, provider: str | None) -> bool:
    """Whether ``model`` has every word of the query (in its id, title, category or
    description, any case) and the category and provider asked for."""
    if category and model["category"] != category:
        return False
    if provider and model["provider"] != provider:
        return False
    text = " ".join((model["id"], model["title"], model["category"], model["description"])).lower()
    return all(word in text for word in words)


class ModelCatalog:
    def __init__(self, settings: Settings, *, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.http = http or httpx.Client(timeout=REFRESH_TIMEOUT)
        self._models = load_snapshot()
        self._lock = threading.Lock()
        self.source = "snapshot"
        self.refreshed_at: float | None = None
        # A refresh only replaces a list in memory: shutting down need not wait for one.
        self.loop = Periodic("fusionflow-model-catalog", settings.model_catalog_refresh_hours * 3600, self.refresh,
                             immediately=True, join_timeout=1)

    def search(self, *, q: str = "", category: str | None = None, provider: str | None = None,
               limit: int = 50, cursor: str | None = None) -> ModelList:
        """``GET /api/catalog/models``: the models matching, in catalog order, a page at a time."""
        words = q.lower().split()
        with self._lock:
            found = [m for m in self._models if matches(m, words, category, provider)]
        start = _offset(cursor)
        page = found[start:start + limit]
        more = start + limit < len(found)
        return msgspec.convert({"models": page, "next_cursor": _cursor(start + limit) if more else None,
                                "source": self.source}, ModelList)

    def refresh(self) -> int:
        """Replace the fal models with fal's live list (when ``FAL_KEY`` is set); returns how
        many were read. A failure keeps what the catalog had."""
        key = self.settings.setting("FAL_KEY")
        if not key:
            return 0
        api_url = self.settings.setting("FAL_API_URL", fal.DEFAULT_API_URL)
        try:
            fetched = fal.fetch(api_url, key, self.http)
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("could not refresh the model catalog from fal (%s); keeping the %s", exc, self.source)
            return 0
        if fetched:
            with self._lock:
                self._models = [m for m in self._models if m["provider"] != "fal"] + fetched
                self.source, self.refreshed_at = "fal", time.time()
        return len(fetched)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()))
    except ValueError as exc:
        raise InvalidRequest(f"cursor {cursor!r} is not one this server gave out", code="invalid_cursor") from exc
