"""The provider's webhook for suspended nodes (see ``orchestrator.engine.jobhooks``).

No key: the provider calls it. The signed token in the path names the node; the call
only makes the node's poller look at its job now, and its body is never read."""

from __future__ import annotations

import anyio.to_thread
from litestar import post
from litestar.params import Parameter
from typing import Annotated

from orchestrator.api.state import Services
from orchestrator.errors import NotFound


@post("/api/job-webhooks/{token:str}", status_code=204, tags=["runs"],
      summary="A provider says a suspended node's job ended (signed URL, no key; the body is ignored)")
async def job_webhook(services: Services,
                      token: Annotated[str, Parameter(max_length=1000, description="The signed token of the URL")]
                      ) -> None:
    runtime = services.runtime
    node = runtime.job_webhooks.verify(token)
    if node is None or not await anyio.to_thread.run_sync(runtime.ledger.wake, *node):
        raise NotFound("no node waits on this webhook (a wrong token, or its job was already taken)")
