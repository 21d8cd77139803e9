"""The fast layer's parts: the ledger on SQLite with a recording bus."""

from __future__ import annotations

import pytest

from orchestrator.engine.ledger import Ledger
from orchestrator.events.bus import LocalBus
from orchestrator.store import migrate
from orchestrator.store.db import Database
from orchestrator.store.users import ensure_local_user


class RecordingBus(LocalBus):
    def __init__(self) -> None:
        super().__init__()
        self.notes = []

    def publish(self, notes) -> None:
        notes = list(notes)
        self.notes.extend(notes)
        super().publish(notes)


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'ledger.db'}")
    migrate.upgrade(database)
    ensure_local_user(database)
    yield database
    database.dispose()


@pytest.fixture
def bus():
    return RecordingBus()


@pytest.fixture
def ledger(db, bus):
    return Ledger(db, bus, lease_seconds=60)
