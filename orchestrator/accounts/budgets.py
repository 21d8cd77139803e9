"""Per-run budgets: a node whose cost would take its run past the budget is not started.

Each node is admitted once (its first attempt) with its estimate, by one conditional
update, so parallel branches of a run cannot together overshoot: the sum of the
admitted estimates, and the costs recorded so far, both stay within the budget.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from orchestrator.accounts.credits import micros, usd
from orchestrator.store.db import Database
from orchestrator.store.models import run_budgets, runs


def set_budget(conn: Connection, run_id: str, budget_usd: float) -> None:
    conn.execute(run_budgets.insert().values(run_id=run_id, budget_micros=micros(budget_usd), admitted_micros=0))


def admit_node(db: Database, run_id: str, estimate_usd: float) -> str | None:
    """Count a node's estimate against its run's budget; None when it fits (or the run has
    no budget), else why it does not."""
    estimate = micros(estimate_usd)
    with db.read() as conn:  # most runs have no budget: no write lock for them
        if conn.execute(select(run_budgets.c.run_id).where(run_budgets.c.run_id == run_id)).first() is None:
            return None
    with db.write() as conn:
        row = conn.execute(select(run_budgets.c.budget_micros, run_budgets.c.admitted_micros, runs.c.cost)
                           .join(runs, runs.c.id == run_budgets.c.run_id)
                           .where(run_budgets.c.run_id == run_id)).first()
        spent = max(row.admitted_micros, micros(row.cost))
        admitted = conn.execute(
            update(run_budgets)
            .where(run_budgets.c.run_id == run_id,
                   run_budgets.c.admitted_micros + estimate <= run_budgets.c.budget_micros,
                   micros(row.cost) + estimate <= run_budgets.c.budget_micros)
            .values(admitted_micros=run_budgets.c.admitted_micros + estimate)
            .returning(run_budgets.c.run_id)).first()
    if admitted is not None:
        return None
    left = max(0, row.budget_micros - spent)
    return (f"not started: its estimated cost ${usd(estimate):.6g} would take the run past its budget of "
            f"${usd(row.budget_micros):.6g} (${usd(left):.6g} left)")
