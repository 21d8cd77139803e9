"""Choose the asset store from settings."""

from __future__ import annotations

from orchestrator.assets import AssetService
from orchestrator.settings import Settings
from orchestrator.store.db import Database


def build_asset_service(settings: Settings, db: Database) -> AssetService | None:
    """Local files under ``FUSIONFLOW_HOME`` (embedded) or S3 (distributed)."""
    return None  # the asset stores arrive with the media work
