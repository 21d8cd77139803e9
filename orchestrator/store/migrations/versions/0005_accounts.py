"""accounts and spend: passwords, roles, API keys, sign-ins, SIWE nonces, the credit ledger, run budgets

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False, server_default='user'))
        batch_op.add_column(sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('daily_limit', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=42), nullable=True))
        batch_op.create_unique_constraint('uq_users_address', ['address'])
    op.create_table('api_keys',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('last_used_at', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
    )
    op.create_index('ix_api_keys_user', 'api_keys', ['user_id', 'id'])
    op.create_table('sign_ins',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('revoked_at', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table('refresh_tokens',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('sign_in_id', sa.String(length=40), sa.ForeignKey('sign_ins.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.Column('spent_at', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_refresh_tokens_sign_in', 'refresh_tokens', ['sign_in_id'])
    op.create_table('siwe_nonces',
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('nonce'),
    )
    op.create_table('ledger',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=40), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('amount_micros', sa.BigInteger(), nullable=False),
        sa.Column('run_id', sa.String(length=40), nullable=True),
        sa.Column('node_id', sa.String(length=64), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ledger_user', 'ledger', ['user_id', 'id'])
    op.create_index('ix_ledger_run', 'ledger', ['run_id', 'kind'])
    op.create_table('run_budgets',
        sa.Column('run_id', sa.String(length=40), nullable=False),
        sa.Column('budget_micros', sa.BigInteger(), nullable=False),
        sa.Column('admitted_micros', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('run_id'),
    )


def downgrade() -> None:
    op.drop_table('run_budgets')
    op.drop_index('ix_ledger_run', table_name='ledger')
    op.drop_index('ix_ledger_user', table_name='ledger')
    op.drop_table('ledger')
    op.drop_table('siwe_nonces')
    op.drop_index('ix_refresh_tokens_sign_in', table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_table('sign_ins')
    op.drop_index('ix_api_keys_user', table_name='api_keys')
    op.drop_table('api_keys')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_address', type_='unique')
        for column in ('address', 'daily_limit', 'disabled', 'role', 'password_hash'):
            batch_op.drop_column(column)
