"""The tables. One model for SQLite (embedded) and PostgreSQL (distributed).

JSON is stored as text encoded by msgspec (fast, and the same on both databases).
Timestamps are ISO 8601 strings in UTC with milliseconds, which sort correctly.
Ids are time-ordered (see ``orchestrator.store.ids``), so "newest first" is ``id DESC``.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


class JSONText(TypeDecorator):
    """A JSON value stored as text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else _encode(value).decode()

    def process_result_value(self, value, dialect):
        return None if value is None else _decode(value)


users = Table(
    "users", metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("key_hash", String(128), nullable=True, unique=True),
    Column("event_seq", Integer, nullable=False, default=0),
    Column("created_at", String(32), nullable=False),
    # accounts (contract section 12)
    Column("password_hash", String(200), nullable=True),
    Column("role", String(16), nullable=False, default="user", server_default="user"),
    Column("disabled", Boolean, nullable=False, default=False, server_default="0"),
    Column("daily_limit", Float, nullable=True),
    Column("address", String(42), nullable=True, unique=True),
)

graphs = Table(
    "graphs", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("name", String(500), nullable=False),
    Column("version", Integer, nullable=False),
    Column("graph", JSONText, nullable=False),
    Column("inputs", JSONText, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("webhook", String(2000), nullable=True),
    Index("ix_graphs_user", "user_id", "id"),
)

graph_versions = Table(
    "graph_versions", metadata,
    Column("graph_id", String(40), ForeignKey("graphs.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(500), nullable=False),
    Column("graph", JSONText, nullable=False),
    Column("created_at", String(32), nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("graph", JSONText, nullable=False),
    Column("inputs", JSONText, nullable=False),
    Column("graph_id", String(40), nullable=True),
    Column("graph_version", Integer, nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("finished_at", String(32), nullable=True),
    Column("next_seq", Integer, nullable=False, default=0),
    Column("nodes_left", Integer, nullable=False),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("use_cache", Boolean, nullable=False, default=True),
    Column("outputs", JSONText, nullable=True),
    Column("cost", Float, nullable=False, default=0.0),
    Column("schedule_id", String(40), nullable=True),
    Column("drawn_graph", JSONText, nullable=True),
    # The graph as submitted, when ``graph`` (what the engine runs) is it with subgraphs expanded.
    Column("priority", String(8), nullable=False, server_default="normal"),
    # ``high``, ``normal`` or ``low``: which queue the run's nodes are sent to.
    Index("ix_runs_user", "user_id", "id"),
    Index("ix_runs_user_status", "user_id", "status", "id"),
    Index("ix_runs_user_graph", "user_id", "graph_id", "id"),
)

run_nodes = Table(
    "run_nodes", metadata,
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", String(255), primary_key=True),
    Column("type", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("pending", Integer, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("progress", Float, nullable=True),
    Column("message", Text, nullable=True),
    Column("cached", Boolean, nullable=False, default=False),
    Column("outputs", JSONText, nullable=True),
    Column("error", JSONText, nullable=True),
    Column("started_at", String(32), nullable=True),
    Column("finished_at", String(32), nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("queued_at", Float, nullable=True),
    Column("cost", Float, nullable=False, default=0.0),
    Column("external_id", String(200), nullable=True),
    Column("wake_at", Float, nullable=True),
    # Suspended (waiting on an external job, no thread held): when a poller looks at the job
    # next. NULL: not suspended; negative: the job ended, the node is due to resume.
    Column("deadline", Float, nullable=True),
    # A suspended node's time limit, in epoch seconds.
    Index("ix_run_nodes_status", "status", "queued_at"),
    Index("ix_run_nodes_wake", "wake_at"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("user_id", String(40), nullable=False),
    Column("user_seq", Integer, nullable=False),
    Column("type", String(32), nullable=False),
    Column("data", Text, nullable=False),
    UniqueConstraint("run_id", "seq", name="uq_events_run_seq"),
    UniqueConstraint("user_id", "user_seq", name="uq_events_user_seq"),
)

output_cache = Table(
    "output_cache", metadata,
    Column("user_id", String(40), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("outputs", JSONText, nullable=False),
    Column("created_at", String(32), nullable=False),
)

assets = Table(
    "assets", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("filename", String(500), nullable=True),
    Column("created_at", String(32), nullable=False),
    Index("ix_assets_user_sha", "user_id", "sha256", "content_type"),
    # The library (contract section 11). ``name`` null: the file name stands for it.
    Column("name", String(500), nullable=True),
    Column("tags", JSONText, nullable=True),
    Column("origin_run_id", String(40), nullable=True),
    Column("origin_node_id", String(255), nullable=True),
    Column("expires_at", String(32), nullable=True),
    Column("keep", Boolean, nullable=False, default=False),
    Column("metadata", JSONText, nullable=True),
    Column("poster_id", String(40), nullable=True),
    Column("poster_of", String(40), nullable=True),
    Index("ix_assets_user_id", "user_id", "id"),
    Index("ix_assets_expires", "expires_at"),
    Index("ix_assets_sha", "sha256"),
)

cost_records = Table(
    "cost_records", metadata,
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("node_id", String(255), primary_key=True),
    Column("key", String(200), primary_key=True),
    # key: what makes a charge unique (a provider request id); recording it twice charges once.
    Column("user_id", String(40), nullable=False),
    Column("amount", Float, nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
)

webhook_secrets = Table(
    "webhook_secrets", metadata,
    Column("user_id", String(40), ForeignKey("users.id"), primary_key=True),
    Column("secret", String(100), nullable=False),
    Column("created_at", String(32), nullable=False),
)

run_webhooks = Table(
    "run_webhooks", metadata,
    # One delivery per run that named a webhook: written with the run, sent by the API
    # processes' sender loop once the run has ended, retried until delivered or given up.
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", String(40), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("state", String(16), nullable=False),  # waiting (for the run to end), pending, delivered, failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=True),
    Column("lease_until", Float, nullable=True),
    Column("first_attempt_at", Float, nullable=True),
    Index("ix_run_webhooks_state", "state", "next_attempt_at"),
)

webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(40), ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_webhook_attempts_run", "run_id", "id"),
)

schedules = Table(
    "schedules", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("graph_id", String(40), ForeignKey("graphs.id", ondelete="CASCADE"), nullable=False),
    Column("cron", String(200), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("inputs", JSONText, nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("next_run_at", Float, nullable=True),  # Unix seconds; null while paused
    Column("last_run_at", String(32), nullable=True),
    Column("last_run_id", String(40), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_schedules_due", "paused", "next_run_at"),
    Index("ix_schedules_graph", "user_id", "graph_id", "id"),
)

# -- accounts and spend (contract section 12) ------------------------------------------------

api_keys = Table(
    "api_keys", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("last_used_at", String(32), nullable=True),
    Index("ix_api_keys_user", "user_id", "id"),
)

sign_ins = Table(
    "sign_ins", metadata,
    # One sign-in (password or wallet): the family of its refresh tokens and access tokens.
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("method", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("sign_in_id", String(40), ForeignKey("sign_ins.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("spent_at", String(32), nullable=True),
    Index("ix_refresh_tokens_sign_in", "sign_in_id"),
)

siwe_nonces = Table(
    "siwe_nonces", metadata,
    Column("nonce", String(64), primary_key=True),
    Column("expires_at", Float, nullable=False),
)

ledger = Table(
    "ledger", metadata,
    # Signed entries whose sum is a user's balance, in micro-USD (exact sums).
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("amount_micros", BigInteger, nullable=False),
    Column("run_id", String(40), nullable=True),
    Column("node_id", String(255), nullable=True),
    Column("note", Text, nullable=True),
    Column("created_at", String(32), nullable=False),
    Index("ix_ledger_user", "user_id", "id"),
    Index("ix_ledger_run", "run_id", "kind"),
)

run_budgets = Table(
    "run_budgets", metadata,
    # A run's ``budget`` and the estimates of the nodes admitted against it so far.
    Column("run_id", String(40), primary_key=True),  # written before the run's row, in its transaction
    Column("budget_micros", BigInteger, nullable=False),
    Column("admitted_micros", BigInteger, nullable=False, default=0),
)
# -- the library (contract section 11) ----------------------------------------------------

collections = Table(
    "collections", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("created_at", String(32), nullable=False),
    Index("ix_collections_user", "user_id", "id"),
)

collection_items = Table(
    "collection_items", metadata,
    Column("collection_id", String(40), ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("asset_id", String(40), ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
    Index("ix_collection_items_asset", "asset_id"),
)

hooks = Table(
    "hooks", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("text", String(500), nullable=False),
    Column("category", String(100), nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
    Index("ix_hooks_user_category", "user_id", "category", "id"),
)

models = Table(
    "models", metadata,
    Column("id", String(40), primary_key=True),
    Column("user_id", String(40), ForeignKey("users.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("base_model", String(200), nullable=False),
    Column("trigger_word", String(200), nullable=False, default=""),
    Column("weights_id", String(40), ForeignKey("assets.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", String(40), nullable=True),
    Column("node_id", String(255), nullable=True),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("run_id", "node_id", name="uq_models_run_node"),
    Index("ix_models_user", "user_id", "id"),
)

maintenance_locks = Table(
    "maintenance_locks", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("until", Float, nullable=False),
)
"""One row per periodic job (the library's sweep): whoever holds it unexpired runs the job."""
