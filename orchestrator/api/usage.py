"""Usage (contract section 11): storage by kind, counts, spend per day."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.params import Parameter

from orchestrator.api.state import Services


@get("/api/usage", sync_to_thread=True, tags=["library"], summary="Storage by kind, asset and run counts, spend per day")
def usage(services: Services, user_id: str,
          days: Annotated[int, Parameter(ge=1, le=366, description="Spend over this many days")] = 30) -> dict[str, Any]:
    return services.library.usage.report(user_id, days=days)
