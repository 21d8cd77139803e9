"""Admin routes (contract section 12): users, grants, limits, disabling. Non-admins get 403."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter

from orchestrator.accounts.documents import LedgerEntry, Profile, UserPage
from orchestrator.api.auth import current_admin
from orchestrator.api.state import Services
from orchestrator.engine.service import decode_cursor, encode_cursor

Usd = Annotated[float, msgspec.Meta(le=1e9)]


class Grant(msgspec.Struct):
    amount: Usd
    note: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class UserUpdate(msgspec.Struct):
    daily_limit: Usd | None | msgspec.UnsetType = msgspec.UNSET
    """USD per UTC day, or null for no limit."""
    disabled: bool | msgspec.UnsetType = msgspec.UNSET


class AdminController(Controller):
    path = "/api/admin"
    tags = ["admin"]
    dependencies = {"admin_id": Provide(current_admin, sync_to_thread=True)}

    @get("/users", sync_to_thread=True, summary="Every user, newest first")
    def users(self, services: Services, admin_id: str, limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
              cursor: str | None = None) -> UserPage:
        found, more = services.accounts.admin.users(limit=limit, before=decode_cursor(cursor) if cursor else None)
        return msgspec.convert({"users": found, "next_cursor": encode_cursor(found[-1]["id"]) if more else None},
                               UserPage)

    @post("/users/{target:str}/credits", status_code=201, sync_to_thread=True, summary="Grant credits to a user")
    def grant(self, target: str, data: Grant, services: Services, admin_id: str) -> LedgerEntry:
        return msgspec.convert(services.accounts.admin.grant(admin_id, target, data.amount, data.note), LedgerEntry)

    @patch("/users/{target:str}", sync_to_thread=True, summary="Set a user's daily limit, or disable them")
    def update(self, target: str, data: UserUpdate, services: Services, admin_id: str) -> Profile:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        return msgspec.convert(services.accounts.admin.update(admin_id, target, changes), Profile)
