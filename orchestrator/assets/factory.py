"""Choose the asset store from settings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from orchestrator.assets import AssetService
from orchestrator.assets.local import LocalAssetStore
from orchestrator.assets.s3 import S3AssetStore, make_client
from orchestrator.assets.signing import Signer, load_key, private_dir
from orchestrator.settings import Settings
from orchestrator.store.db import Database


def build_asset_service(settings: Settings, db: Database) -> AssetService:
    """S3 when ``FUSIONFLOW_S3_ENDPOINT`` is set (the distributed mode), else local files
    under ``FUSIONFLOW_HOME/assets``."""
    if settings.s3_endpoint:
        def client_for(endpoint: str):
            return make_client(endpoint, settings.s3_access_key, settings.s3_secret_key, secure=settings.s3_secure,
                               region=settings.s3_region, timeout=settings.provider_timeout_seconds)

        client = client_for(settings.s3_endpoint)
        public = client_for(settings.s3_public_endpoint) if settings.s3_public_endpoint else client
        return S3AssetStore(db, client, settings.s3_bucket, url_expiry_seconds=settings.url_expiry_seconds,
                            presign_client=public)
    private_dir(settings.home)  # the database and the signing key live here too
    if settings.embedded_database:
        _owner_only(Path(make_url(settings.database_url).database or ""))
    signer = Signer(load_key(settings.secret_key, settings.home))
    return LocalAssetStore(db, settings.home / "assets", signer, url_expiry_seconds=settings.url_expiry_seconds,
                           public_url=settings.public_url)


def _owner_only(database: Path) -> None:
    """The SQLite file (and its journal files) readable by this user only (0600)."""
    for path in database.parent.glob(f"{database.name}*"):
        path.chmod(0o600)
