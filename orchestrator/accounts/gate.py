"""The calls the engine makes into accounts and spend, one per point of the run's life:

- ``admit_run``: at submission, in the transaction that writes the run (rate limit,
  credits and daily limit, the run's budget).
- ``admit_node``: before a node's first attempt starts (its run's budget, the user's
  provider-call rate limit).
- ``on_cost``: when a node records a cost, in the same transaction (the ledger's charge,
  for runs admitted with credits on).
- ``on_run_end``: when a run ends, in the same transaction (the unused reservation).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from nodes.sdk import NodeError, NodeType, TransientError
from orchestrator.accounts import budgets, credits, ratelimit
from orchestrator.accounts.errors import RateLimited
from orchestrator.settings import Settings
from orchestrator.store.db import Database


def admit_run(conn: Connection, settings: Settings, *, user_id: str, run_id: str, estimate: float,
              budget: float | None) -> None:
    """Raise ``RateLimited`` or ``InsufficientCredits`` (the caller's transaction then
    writes nothing), else reserve the estimate and note the budget. Call first in the
    transaction that writes the run (it takes the user's row lock)."""
    if settings.rate_runs:
        refusal = ratelimit.shared(settings.redis_url).hit(settings.rate_runs, "runs", user_id)
        if refusal is not None:
            raise RateLimited(f"too many runs: at most {settings.rate_runs} (FUSIONFLOW_RATE_RUNS); "
                              f"try again in {refusal.retry_after} s",
                              limit=refusal.limit, reset_seconds=refusal.retry_after)
    if settings.credits:
        credits.admit_run(conn, user_id, run_id, estimate)
    if budget is not None:
        budgets.set_budget(conn, run_id, budget)


def admit_node(db: Database, settings: Settings, *, run_id: str, user_id: str, attempt: int,
               node_type: NodeType, params: Any) -> None:
    """Raise ``NodeError`` (type ``budget``) for a node its run cannot afford, or
    ``TransientError`` (type ``rate_limited``, retried later) past the provider-call limit."""
    if attempt == 1:  # admitted once: a retry is the same spending
        refused = budgets.admit_node(db, run_id, node_type.estimate_cost(params, settings.prices))
        if refused:
            raise NodeError(refused, error_type="budget")
    calls_provider = node_type.check_config is not None and getattr(params, "provider", None) != "local"
    if calls_provider and settings.rate_provider_calls:
        refusal = ratelimit.shared(settings.redis_url).hit(settings.rate_provider_calls, "provider-calls", user_id)
        if refusal is not None:
            raise TransientError(f"too many provider calls: at most {settings.rate_provider_calls} "
                                 "(FUSIONFLOW_RATE_PROVIDER_CALLS)", error_type="rate_limited",
                                 retry_after=refusal.retry_after)


def on_cost(conn: Connection, *, user_id: str, run_id: str, node_id: str, amount: float, detail: str = "") -> None:
    """Charge a recorded cost to the ledger, for runs admitted with credits on."""
    credits.charge(conn, user_id, run_id, node_id, amount, detail)


def on_run_end(conn: Connection, run_id: str, user_id: str) -> None:
    credits.settle_run(conn, run_id, user_id)
