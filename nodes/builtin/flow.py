"""Flow-control nodes: waiting and failing on purpose (demos, tests, pacing)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from nodes.sdk import Context, NodeError, Params, Port, TransientError, node_type


class WaitParams(Params):
    seconds: Annotated[float, msgspec.Meta(ge=0, le=86400)] = 1.0
    steps: Annotated[int, msgspec.Meta(ge=1, le=10000)] = 1


class FailParams(Params):
    message: str = "failed on purpose"
    times: Annotated[int, msgspec.Meta(ge=0)] | None = None
    """Fail with a transient error on the first ``times`` attempts, then pass ``value`` on."""


@node_type("flow.wait", timeout=90_000, long=True, title="Wait", category="flow",
           inputs=[Port("value", "any", required=False)], outputs=[Port("value", "any")])
def wait(ctx: Context, params: WaitParams, inputs: dict) -> dict:
    """Waits ``seconds`` in ``steps`` equal steps, reporting progress after each; passes ``value`` on."""
    step = params.seconds / params.steps
    for i in range(1, params.steps + 1):
        ctx.sleep(step)
        ctx.progress(i / params.steps, f"step {i} of {params.steps}")
    return {"value": inputs.get("value")}


@node_type("flow.fail", title="Fail", category="flow",
           inputs=[Port("value", "any", required=False)], outputs=[Port("value", "any")])
def fail(ctx: Context, params: FailParams, inputs: dict) -> dict:
    """Without ``times``, fails for good with ``message``; with ``times`` N, fails with a
    transient error on its first N attempts and then passes ``value`` on."""
    if params.times is None:
        raise NodeError(params.message)
    if ctx.attempt <= params.times:
        raise TransientError(f"{params.message} (attempt {ctx.attempt} of {params.times} planned failures)")
    return {"value": inputs.get("value")}
