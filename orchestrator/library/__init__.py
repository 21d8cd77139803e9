"""The library (contract section 11): the user's media, collections, hooks and models,
retention of what runs make, and usage. One service per area; ``Library`` holds them."""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.assets import AssetService
from orchestrator.library.assets import AssetLibrary
from orchestrator.library.collections import Collections
from orchestrator.library.hooks import Hooks
from orchestrator.library.models import Models
from orchestrator.library.usage import Usage
from orchestrator.settings import Settings
from orchestrator.store.db import Database


@dataclass
class Library:
    assets: AssetLibrary
    collections: Collections
    hooks: Hooks
    models: Models
    usage: Usage

    @classmethod
    def build(cls, db: Database, store: AssetService, settings: Settings) -> Library:
        assets = AssetLibrary(db, store, settings)
        return cls(assets=assets, collections=Collections(db, assets), hooks=Hooks(db), models=Models(db, assets),
                   usage=Usage(db))
