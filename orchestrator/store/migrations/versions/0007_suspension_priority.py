"""Long jobs that suspend, and run priorities

- ``run_nodes.wake_at``: a node waiting on an external job holds no worker thread; a
  poller looks at its job at ``wake_at`` (NULL: not suspended; negative: the job ended
  and the node is due to resume on a worker).
- ``run_nodes.deadline``: when a suspended node's time limit runs out (epoch seconds).
- ``runs.priority``: ``high``, ``normal`` or ``low``; decides which queue its nodes go to.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("run_nodes", sa.Column("wake_at", sa.Float(), nullable=True))
    op.add_column("run_nodes", sa.Column("deadline", sa.Float(), nullable=True))
    op.create_index("ix_run_nodes_wake", "run_nodes", ["wake_at"])
    op.add_column("runs", sa.Column("priority", sa.String(8), nullable=False, server_default="normal"))


def downgrade() -> None:
    op.drop_column("runs", "priority")
    op.drop_index("ix_run_nodes_wake", table_name="run_nodes")
    op.drop_column("run_nodes", "deadline")
    op.drop_column("run_nodes", "wake_at")
