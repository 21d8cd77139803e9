"""What an admin may do: list users, grant credits, set a daily limit, disable a user."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from orchestrator.accounts import credits
from orchestrator.accounts.accounts import profile, profile_of
from orchestrator.accounts.errors import Forbidden, InvalidField
from orchestrator.errors import NotFound
from orchestrator.store.db import Database
from orchestrator.store.models import runs
from orchestrator.store.users import get_user, list_users, set_fields

log = logging.getLogger(__name__)


class Admin:
    def __init__(self, db: Database, cancel_run: Callable[[str, str], None]) -> None:
        """``cancel_run(user_id, run_id)`` cancels a run (the run service's cancel)."""
        self.db = db
        self.cancel_run = cancel_run

    def require(self, user_id: str) -> None:
        with self.db.read() as conn:
            user = get_user(conn, user_id)
        if user is None or user.role != "admin":
            raise Forbidden("this needs an admin account")

    def users(self, *, limit: int, before: str | None) -> tuple[list[dict], bool]:
        with self.db.read() as conn:
            found = list_users(conn, limit=limit + 1, before=before)
            return [profile(conn, u) for u in found[:limit]], len(found) > limit


    def grant(self, admin_id: str, user_id: str, amount: float, note: str | None) -> dict:
        if not amount > 0:
            raise InvalidField(f"amount: a grant must be above 0 (got {amount})")
        profile_of(self.db, user_id)
        entry = credits.grant(self.db, user_id, amount, note)
        log.info("admin %s granted %s USD to %s", admin_id, amount, user_id)
        return entry

    def update(self, admin_id: str, user_id: str, changes: dict) -> dict:
        """``changes``: ``daily_limit`` (USD or None) and/or ``disabled``."""
        if changes.get("daily_limit") is not None and changes["daily_limit"] < 0:
            raise InvalidField(f"daily_limit: at least 0, or null for none (got {changes['daily_limit']})")
        if changes:
            with self.db.write() as conn:
                if not set_fields(conn, user_id, **changes):
                    raise NotFound(f"user {user_id} does not exist")
            log.info("admin %s changed %s: %s", admin_id, user_id, sorted(changes))
        if changes.get("disabled"):
            self._cancel_running(user_id)
        return profile_of(self.db, user_id)

    def _cancel_running(self, user_id: str) -> None:
        with self.db.read() as conn:
            running = conn.execute(select(runs.c.id).where(runs.c.user_id == user_id, runs.c.status == "running"))
            run_ids = list(running.scalars())
        for run_id in run_ids:
            try:
                self.cancel_run(user_id, run_id)
            except Exception:  # it finished meanwhile: nothing to cancel
                log.debug("run %s of disabled user %s was no longer running", run_id, user_id)
