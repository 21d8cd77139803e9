"""the library: asset names, tags, origin, expiry, metadata, posters; collections, hooks, models

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import orchestrator.store.models


revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = orchestrator.store.models.JSONText


def upgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('tags', JSON(), nullable=True))
        batch_op.add_column(sa.Column('origin_run_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('origin_node_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('keep', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('metadata', JSON(), nullable=True))
        batch_op.add_column(sa.Column('poster_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('poster_of', sa.String(length=40), nullable=True))
        batch_op.create_index('ix_assets_user_id', ['user_id', 'id'], unique=False)
        batch_op.create_index('ix_assets_expires', ['expires_at'], unique=False)
        batch_op.create_index('ix_assets_sha', ['sha256'], unique=False)

    op.create_table('collections',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('collections', schema=None) as batch_op:
        batch_op.create_index('ix_collections_user', ['user_id', 'id'], unique=False)

    op.create_table('collection_items',
    sa.Column('collection_id', sa.String(length=40), nullable=False),
    sa.Column('asset_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collection_id', 'asset_id')
    )
    with op.batch_alter_table('collection_items', schema=None) as batch_op:
        batch_op.create_index('ix_collection_items_asset', ['asset_id'], unique=False)

    op.create_table('hooks',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hooks', schema=None) as batch_op:
        batch_op.create_index('ix_hooks_user_category', ['user_id', 'category', 'id'], unique=False)

    op.create_table('models',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('base_model', sa.String(length=200), nullable=False),
    sa.Column('trigger_word', sa.String(length=200), nullable=False),
    sa.Column('weights_id', sa.String(length=40), nullable=False),
    sa.Column('run_id', sa.String(length=40), nullable=True),
    sa.Column('node_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['weights_id'], ['assets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('run_id', 'node_id', name='uq_models_run_node')
    )
    with op.batch_alter_table('models', schema=None) as batch_op:
        batch_op.create_index('ix_models_user', ['user_id', 'id'], unique=False)

    op.create_table('maintenance_locks',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('until', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('maintenance_locks')
    op.drop_table('models')
    op.drop_table('hooks')
    op.drop_table('collection_items')
    op.drop_table('collections')
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index('ix_assets_sha')
        batch_op.drop_index('ix_assets_expires')
        batch_op.drop_index('ix_assets_user_id')
        for column in ('poster_of', 'poster_id', 'metadata', 'keep', 'expires_at', 'origin_node_id',
                       'origin_run_id', 'tags', 'name'):
            batch_op.drop_column(column)
