"""The node catalog: every node type that ships with FusionFlow, built once.

``nodes.sdk`` only declares (the ``node_type`` decorator records a type as its
module is imported) and imports nothing from ``nodes``. This module imports the
node modules, takes what they declared, and lets provider back ends plug into
the generic nodes through ``Catalog.add_backend`` instead of changing other
modules' tables. The runtime builds the catalog once at start-up (provider SDKs
are slow to import) and hands it to whatever needs node types.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Iterator, Mapping

from nodes.sdk import Backend, EstimateFunction, JobWatcher, NodeType, RunFunction, declared_types


class Catalog(Mapping[str, NodeType]):
    """Node types by name (a read-only mapping once built)."""

    def __init__(self, types: Iterable[NodeType]) -> None:
        self._types = {t.type: t for t in types}
        self.watchers: dict[str, JobWatcher] = {}
        """Who follows suspended nodes' external jobs, by the scheme of their ids."""

    def __getitem__(self, type_name: str) -> NodeType:
        return self._types[type_name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._types)

    def __len__(self) -> int:
        return len(self._types)

    def sorted(self) -> list[NodeType]:
        """The types in catalog order (by category, then name)."""
        return sorted(self._types.values(), key=lambda t: (t.category, t.type))

    def add_backend(self, type_name: str, provider: str, run: RunFunction, *,
                    estimate: EstimateFunction | None = None, settings: tuple[str, ...] = ()) -> None:
        """Serve ``type_name`` nodes whose ``provider`` param is ``provider`` with ``run``."""
        node_type = self._types[type_name]
        backends = {**node_type.backends, provider: Backend(run, estimate, tuple(settings))}
        self._types[type_name] = dataclasses.replace(node_type, backends=backends)


    def add_watcher(self, watcher: JobWatcher) -> None:
        """Let suspended nodes wait on ``watcher.scheme`` jobs (``nodes.sdk.JobWatcher``)."""
        self.watchers[watcher.scheme] = watcher


_lock = threading.Lock()
_catalog: Catalog | None = None


def load_catalog() -> Catalog:
    """The catalog of every built-in node type and provider back end (built on first call)."""
    global _catalog
    with _lock:
        if _catalog is None:
            _catalog = _build()
        return _catalog


def _build() -> Catalog:
    from nodes.builtin import flow, inputs, library, outputs, subgraph, text  # noqa: F401  (declare on import)
    from nodes.media import archive, ffmpeg_nodes, generate, image_nodes, variants  # noqa: F401
    from nodes.providers import face_swap, fal, fal_run, image_edit, lora, plugins, text_generate  # noqa: F401

    catalog = Catalog(declared_types())
    plugins.register(catalog)
    catalog.add_watcher(fal.WATCHER)
    return catalog
