"""The example graphs, for the canvas's "open an example" list (contract section 13)."""

from __future__ import annotations

from litestar import get

from orchestrator.examples import ExampleList, examples


@get("/api/examples", tags=["examples"], sync_to_thread=False, summary="The example graphs shipped with FusionFlow")
def list_examples(user_id: str) -> ExampleList:
    """The same for every user; with authentication on, a key is needed like everywhere under /api."""
    return examples()
