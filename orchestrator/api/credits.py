"""The caller's credit ledger (contract section 12)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from litestar import get
from litestar.params import Parameter

from orchestrator.accounts import credits
from orchestrator.accounts.documents import LedgerPage
from orchestrator.api.state import Services
from orchestrator.engine.service import decode_cursor, encode_cursor


@get("/api/credits/ledger", tags=["accounts"], sync_to_thread=True,
     summary="Grants, reservations, charges and releases, newest first; their sum is the balance")
def ledger(services: Services, user_id: str, limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
           cursor: str | None = None) -> LedgerPage:
    found, more = credits.entries(services.runtime.db, user_id, limit=limit,
                                  before=decode_cursor(cursor) if cursor else None)
    return msgspec.convert({"entries": found, "next_cursor": encode_cursor(found[-1]["id"]) if more else None},
                           LedgerPage)
