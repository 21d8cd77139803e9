"""The account services an API process holds, built once from the runtime's parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.accounts.accounts import Accounts
from orchestrator.accounts.admin import Admin
from orchestrator.accounts.identity import Identity
from orchestrator.accounts.keys import KeyLookup
from orchestrator.accounts.ratelimit import parse_rule
from orchestrator.accounts.tokens import Tokens
from orchestrator.assets.signing import load_key
from orchestrator.settings import Settings
from orchestrator.store.db import Database


@dataclass
class AccountServices:
    accounts: Accounts
    admin: Admin
    identity: Identity
    tokens: Tokens

    @classmethod
    def build(cls, db: Database, settings: Settings, cancel_run: Callable[[str, str], None]) -> AccountServices:
        for rule in (settings.rate_runs, settings.rate_provider_calls):
            if rule:
                parse_rule(rule)  # a typo fails at start-up, not on the first run
        tokens = Tokens(db, load_key(settings.secret_key, settings.home))
        return cls(accounts=Accounts(db, settings, tokens), admin=Admin(db, cancel_run),
                   identity=Identity(tokens, KeyLookup(db)), tokens=tokens)
