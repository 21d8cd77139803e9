"""Composition and triggers: subgraph node ids, webhooks

- Node ids take 255 characters wherever they are stored (``run_nodes``, ``cost_records``,
  ``ledger``, ``models``, ``assets.origin_node_id``): a subgraph's inner nodes are
  ``<node>/<inner id>``, nested as deep as templates go.
- ``graphs.webhook``; ``webhook_secrets`` (one per user), ``run_webhooks`` (one delivery
  per run that names a webhook) and ``webhook_attempts`` (the delivery log).
- ``schedules`` (cron schedules of templates) and ``runs.schedule_id``.
- ``runs.drawn_graph``: the graph as submitted, when ``runs.graph`` is it with subgraphs expanded.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

WIDE_NODE_IDS = (("run_nodes", "node_id", False), ("cost_records", "node_id", False), ("ledger", "node_id", True),
                 ("models", "node_id", True), ("assets", "origin_node_id", True))
"""(table, column, nullable) of every stored node id."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not enforce VARCHAR lengths
        for table, column, nullable in WIDE_NODE_IDS:
            op.alter_column(table, column, existing_type=sa.String(64), type_=sa.String(255),
                            existing_nullable=nullable)
    op.add_column("graphs", sa.Column("webhook", sa.String(2000), nullable=True))
    op.create_table(
        "webhook_secrets",
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "run_webhooks",
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(40), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=True),
        sa.Column("lease_until", sa.Float(), nullable=True),
        sa.Column("first_attempt_at", sa.Float(), nullable=True),
    )
    op.create_index("ix_run_webhooks_state", "run_webhooks", ["state", "next_attempt_at"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_webhook_attempts_run", "webhook_attempts", ["run_id", "id"])
    op.add_column("runs", sa.Column("schedule_id", sa.String(40), nullable=True))
    op.add_column("runs", sa.Column("drawn_graph", sa.Text(), nullable=True))
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(40), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("graph_id", sa.String(40), sa.ForeignKey("graphs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("cron", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("next_run_at", sa.Float(), nullable=True),
        sa.Column("last_run_at", sa.String(32), nullable=True),
        sa.Column("last_run_id", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_schedules_due", "schedules", ["paused", "next_run_at"])
    op.create_index("ix_schedules_graph", "schedules", ["user_id", "graph_id", "id"])


def downgrade() -> None:
    op.drop_table("schedules")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("drawn_graph")
        batch.drop_column("schedule_id")
    op.drop_table("webhook_attempts")
    op.drop_table("run_webhooks")
    op.drop_table("webhook_secrets")
    with op.batch_alter_table("graphs") as batch:
        batch.drop_column("webhook")
    if op.get_bind().dialect.name != "sqlite":
        for table, column, nullable in WIDE_NODE_IDS:
            op.alter_column(table, column, existing_type=sa.String(255), type_=sa.String(64),
                            existing_nullable=nullable)
