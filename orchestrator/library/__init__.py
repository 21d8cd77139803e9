"""The library (contract section 11): the user's media, collections, hooks and models,
retention of what runs make, and usage. One service per area; ``Library`` holds them."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.assets import AssetService
from orchestrator.library.assets import AssetLibrary
from orchestrator.settings import Settings
from orchestrator.store.db import Database


@dataclass
class Library:
    assets: AssetLibrary

    @classmethod
    def build(cls, db: Database, store: AssetService, settings: Settings) -> Library:
        return cls(assets=AssetLibrary(db, store, settings))
