"""The example graphs (contract section 13): every ``*.json`` of ``graphs/``, shipped in
the package, each with its id (the file name), name, description and layout."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import msgspec

from orchestrator.graph.spec import graph_from_builtins, graph_to_builtins
from orchestrator.resources import examples_dir


class Example(msgspec.Struct):
    id: str
    """The file name without ``.json``."""
    name: str
    description: str
    graph: dict[str, Any]
    """The graph document, ``ui`` layout included."""


class ExampleList(msgspec.Struct):
    examples: list[Example]


def load_examples(directory: Path) -> list[dict]:
    """The examples in ``directory``, sorted by id. The graph comes back as a graph
    document (``ui`` included); its ``description`` is lifted out beside it."""
    examples = []
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text())
        graph = graph_to_builtins(graph_from_builtins(raw))
        examples.append({"id": path.stem, "name": raw.get("name") or path.stem,
                         "description": raw.get("description", ""), "graph": graph})
    return examples


@functools.cache
def examples() -> ExampleList:
    """The shipped examples, read once."""
    return msgspec.convert({"examples": load_examples(examples_dir())}, ExampleList)
