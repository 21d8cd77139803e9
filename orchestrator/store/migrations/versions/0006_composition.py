"""Composition: node ids of expanded subgraphs

- ``run_nodes.node_id`` and ``cost_records.node_id`` take 255 characters: a subgraph's
  inner nodes are ``<node>/<inner id>``, nested as deep as templates go.

Revision ID: 0006
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None

WIDE_NODE_IDS = ("run_nodes", "cost_records")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":  # SQLite does not enforce VARCHAR lengths
        for table in WIDE_NODE_IDS:
            op.alter_column(table, "node_id", existing_type=sa.String(64), type_=sa.String(255),
                            existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for table in WIDE_NODE_IDS:
            op.alter_column(table, "node_id", existing_type=sa.String(255), type_=sa.String(64),
                            existing_nullable=False)
