"""The credit ledger: signed entries whose sum is a user's balance.

- ``grant`` (+): an admin adds credits.
- ``reserve`` (-): an accepted run holds its estimate.
- ``charge`` (-): a node's real cost, recorded in the same transaction as the cost itself;
  with it, a ``release`` (+) of as much of the run's reservation as the charge uses up.
- ``release`` (+): at the run's end, what is left of its reservation.

Nothing else holds a balance: it is always ``SUM(amount)``. Amounts are integers in
micro-USD, so sums are exact; the API speaks USD.

Concurrency: admitting a run takes the user's row lock (PostgreSQL; SQLite serialises
writes), so two submissions cannot both spend the same credits. Charges and the final
release of one run are serialised by that run's row, which the engine updates first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from orchestrator.accounts.errors import InsufficientCredits
from orchestrator.store.db import Database
from orchestrator.store.ids import new_id, now_iso
from orchestrator.store.models import cost_records, ledger
from orchestrator.store.pages import newest_first
from orchestrator.store.users import get_user, lock_user

MICROS = 1_000_000
HOLDS = ("reserve", "release")


def micros(amount_usd: float) -> int:
    return round(amount_usd * MICROS)


def usd(amount_micros: int) -> float:
    return amount_micros / MICROS


def balance(conn: Connection, user_id: str) -> int:
    """What the user may still spend, in micro-USD (reservations of running runs deducted)."""
    return int(conn.execute(select(func.coalesce(func.sum(ledger.c.amount_micros), 0))
                            .where(ledger.c.user_id == user_id)).scalar_one())


def spent_today(conn: Connection, user_id: str) -> int:
    """Costs recorded for the user since midnight UTC, in micro-USD (whether or not credits are on)."""
    midnight = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00.000Z")
    total = conn.execute(select(func.coalesce(func.sum(cost_records.c.amount), 0.0))
                         .where(cost_records.c.user_id == user_id, cost_records.c.created_at >= midnight)).scalar_one()
    return micros(float(total))


def _held(conn: Connection, *where) -> int:
    """Reserved and not yet released or used, in micro-USD (a positive number)."""
    return -int(conn.execute(select(func.coalesce(func.sum(ledger.c.amount_micros), 0))
                             .where(ledger.c.kind.in_(HOLDS), *where)).scalar_one())


def _admitted(conn: Connection, run_id: str) -> bool:
    return conn.execute(select(ledger.c.id).where(ledger.c.run_id == run_id, ledger.c.kind == "reserve")
                        .limit(1)).first() is not None


def _add(conn: Connection, user_id: str, kind: str, amount_micros: int, *, run_id: str | None = None,
         node_id: str | None = None, note: str | None = None) -> dict:
    entry = {"id": new_id("l"), "user_id": user_id, "kind": kind, "amount_micros": amount_micros, "run_id": run_id,
             "node_id": node_id, "note": note, "created_at": now_iso()}
    conn.execute(ledger.insert().values(**entry))
    return entry


# -- what the API and the engine call ----------------------------------------------------


def grant(db: Database, user_id: str, amount_usd: float, note: str | None) -> dict:
    with db.write() as conn:
        return public(_add(conn, user_id, "grant", micros(amount_usd), note=note))


def admit_run(conn: Connection, user_id: str, run_id: str, estimate_usd: float) -> None:
    """Reserve a new run's estimate, or refuse it (``InsufficientCredits``) when it exceeds the
    balance or what is left of the user's daily limit. Call in the transaction that writes the run."""
    lock_user(conn, user_id)
    estimate = micros(estimate_usd)
    available = balance(conn, user_id)
    if estimate > available:
        raise InsufficientCredits(f"this run is estimated at ${usd(estimate):.6g} and your balance is "
                                  f"${usd(available):.6g}: ask an admin for credits, or make the run cheaper")
    user = get_user(conn, user_id)
    if user is not None and user.daily_limit is not None:
        left = micros(user.daily_limit) - spent_today(conn, user_id) - _held(conn, ledger.c.user_id == user_id)
        if estimate > left:
            raise InsufficientCredits(f"this run is estimated at ${usd(estimate):.6g} and ${usd(max(left, 0)):.6g} "
                                      f"is left of your daily limit of ${user.daily_limit:.6g}")
    _add(conn, user_id, "reserve", -estimate, run_id=run_id)  # even of 0: it marks the run as one to charge


def charge(conn: Connection, user_id: str, run_id: str, node_id: str, amount_usd: float, note: str = "") -> None:
    """Charge a node's real cost, drawing first on its run's reservation. Runs admitted
    without credits (no ``reserve`` entry) are not charged."""
    amount = micros(amount_usd)
    if not amount or not _admitted(conn, run_id):
        return
    covered = min(amount, _held(conn, ledger.c.run_id == run_id))
    if covered > 0:
        _add(conn, user_id, "release", covered, run_id=run_id, node_id=node_id, note="used by the charge")
    _add(conn, user_id, "charge", -amount, run_id=run_id, node_id=node_id, note=note or None)


def settle_run(conn: Connection, run_id: str, user_id: str) -> None:
    """Release what is left of a finished run's reservation."""
    left = _held(conn, ledger.c.run_id == run_id)
    if left > 0:
        _add(conn, user_id, "release", left, run_id=run_id, note="unused reservation")


def entries(db: Database, user_id: str, *, limit: int, before: str | None) -> tuple[list[dict], bool]:
    rows, more = newest_first(db, ledger, user_id, limit=limit, before=before)
    return [public(r) for r in rows], more


def public(entry) -> dict:
    return {"id": entry["id"], "amount": usd(entry["amount_micros"]), "kind": entry["kind"],
            "run_id": entry["run_id"], "node_id": entry["node_id"], "created_at": entry["created_at"],
            "note": entry["note"]}
